package dev.stamp.builder.engine;

import dev.stamp.builder.BuildException;
import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.image.Descriptor;
import dev.stamp.runtime.image.Image;
import dev.stamp.runtime.image.ImageIndex;
import dev.stamp.runtime.image.ImageJson;
import dev.stamp.runtime.image.ImageReference;
import dev.stamp.runtime.image.ImageStore;
import dev.stamp.runtime.image.MediaType;
import dev.stamp.runtime.layer.TarEntry;
import dev.stamp.runtime.layer.TarWriter;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes a built image as a standard OCI image layout ({@code oci-layout}, {@code index.json},
 * {@code blobs/sha256/…}), as a directory or as a tar of one (entries sorted, owners 0, mtimes 0).
 * The index names the image by each tag's tag ({@code org.opencontainers.image.ref.name}), as
 * {@code skopeo inspect oci:DIR:TAG} expects.
 */
final class OciLayoutWriter {

  private static final String LAYOUT = "{\"imageLayoutVersion\":\"1.0.0\"}";

  private final ImageStore store;

  OciLayoutWriter(ImageStore store) {
    this.store = store;
  }

  void write(Image image, List<ImageReference> tags, OutputSpec output) throws BuildException {
    try {
      Map<String, byte[]> small = new java.util.TreeMap<>();
      small.put("oci-layout", LAYOUT.getBytes(StandardCharsets.UTF_8));
      small.put("index.json", index(image, tags));
      List<Descriptor> blobs = new ArrayList<>();
      blobs.add(
          Descriptor.of(
              MediaType.OCI_MANIFEST,
              image.manifestDigest(),
              store.blobSize(image.manifestDigest())));
      blobs.add(image.manifest().config());
      blobs.addAll(image.layers());
      if (output.type() == OutputSpec.Type.OCI) {
        writeDirectory(output.dest(), small, blobs);
      } else {
        writeArchive(output.dest(), small, blobs);
      }
    } catch (IOException e) {
      throw BuildException.failed("write --output " + output.dest() + ": " + e.getMessage(), e);
    } catch (HostRuntimeException e) {
      throw BuildException.wrap("write --output " + output.dest(), e);
    }
  }

  private byte[] index(Image image, List<ImageReference> tags) throws HostRuntimeException {
    Descriptor manifest =
        Descriptor.of(
            MediaType.OCI_MANIFEST, image.manifestDigest(), store.blobSize(image.manifestDigest()));
    List<Descriptor> entries = new ArrayList<>();
    if (tags.isEmpty()) {
      entries.add(manifest);
    }
    for (ImageReference tag : tags) {
      entries.add(
          manifest.withAnnotations(
              Map.of(Descriptor.REF_NAME, tag.tag() == null ? "latest" : tag.tag())));
    }
    return ImageJson.write(ImageIndex.of(entries));
  }

  private void writeDirectory(Path dest, Map<String, byte[]> small, List<Descriptor> blobs)
      throws IOException, HostRuntimeException {
    Path dir = dest.resolve("blobs").resolve("sha256");
    Files.createDirectories(dir);
    for (Descriptor blob : blobs) {
      Path target = dir.resolve(blob.digest().hex());
      if (!Files.exists(target)) {
        Path temp = dir.resolve(".tmp-" + blob.digest().hex());
        try (OutputStream out = Files.newOutputStream(temp)) {
          store.copyBlob(blob.digest(), out);
        }
        Files.move(
            temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      }
    }
    Files.write(dest.resolve("oci-layout"), small.get("oci-layout"));
    Files.write(dest.resolve("index.json"), small.get("index.json"));
  }

  private void writeArchive(Path dest, Map<String, byte[]> small, List<Descriptor> blobs)
      throws IOException, HostRuntimeException {
    Path parent = dest.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Path temp = Files.createTempFile(parent, ".stamp-oci-", ".tar");
    try {
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(temp), 1 << 16)) {
        TarWriter tar = new TarWriter(out);
        tar.write(TarEntry.directory("blobs/", 0755, 0, 0, 0), null);
        tar.write(TarEntry.directory("blobs/sha256/", 0755, 0, 0, 0), null);
        java.util.Set<String> seen = new java.util.TreeSet<>();
        for (Descriptor blob : blobs) {
          if (!seen.add(blob.digest().hex())) {
            continue;
          }
          try (InputStream in = store.openBlob(blob.digest())) {
            tar.write(
                TarEntry.file(
                    "blobs/sha256/" + blob.digest().hex(),
                    0644,
                    0,
                    0,
                    store.blobSize(blob.digest()),
                    0),
                in);
          }
        }
        for (Map.Entry<String, byte[]> e : small.entrySet()) {
          tar.write(
              TarEntry.file(e.getKey(), 0644, 0, 0, e.getValue().length, 0),
              new java.io.ByteArrayInputStream(e.getValue()));
        }
        tar.finish();
      }
      Files.move(temp, dest, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temp);
    }
  }
}
