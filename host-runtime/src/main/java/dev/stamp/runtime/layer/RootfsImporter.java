package dev.stamp.runtime.layer;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.image.BlobWriter;
import dev.stamp.runtime.image.ConfigChanges;
import dev.stamp.runtime.image.ContainerConfig;
import dev.stamp.runtime.image.Descriptor;
import dev.stamp.runtime.image.Digest;
import dev.stamp.runtime.image.DigestingInputStream;
import dev.stamp.runtime.image.HistoryEntry;
import dev.stamp.runtime.image.Image;
import dev.stamp.runtime.image.ImageConfig;
import dev.stamp.runtime.image.ImageManifest;
import dev.stamp.runtime.image.ImageReference;
import dev.stamp.runtime.image.ImageStore;
import dev.stamp.runtime.image.Platform;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code stamp import}: a root filesystem tarball (plain, gzip or zstd) becomes a one-layer image.
 * The tar is checked entry by entry as it streams (the same refusals as unpacking: absolute or
 * escaping names, paths under a symlink, overlayfs xattrs), stored gzip-compressed with a
 * deterministic header, and described by a config whose {@code created} is {@code
 * SOURCE_DATE_EPOCH} (else 1970-01-01T00:00:00Z), so importing the same tar twice gives the same
 * image. The reference is tagged last: a failure leaves no name and no blob.
 */
public final class RootfsImporter {

  private final ImageStore store;
  private final long epoch;

  public RootfsImporter(ImageStore store, Map<String, String> env) {
    this.store = store;
    this.epoch = LayerWriter.sourceDateEpoch(env);
  }

  @SuppressWarnings("try") // a lock held for the block, never read
  public Image importTar(Path tarball, ImageReference ref, List<String> changes)
      throws HostRuntimeException {
    String what = "import " + tarball;
    ContainerConfig runConfig = ConfigChanges.apply(ContainerConfig.EMPTY, changes);
    boolean tagged = false;
    try (ImageStore.Lease lease = store.lease()) {
      LayerWriter.Result layer = storeLayer(tarball, what);
      String created = Instant.ofEpochSecond(epoch).toString();
      ImageConfig config =
          ImageConfig.of(
              Platform.host(),
              created,
              runConfig,
              List.of(layer.diffId()),
              List.of(
                  new HistoryEntry(
                      created, null, null, "imported from " + tarball.getFileName(), null)));
      Descriptor configBlob = store.putConfig(config);
      Descriptor manifest = store.putManifest(ImageManifest.of(configBlob, List.of(layer.blob())));
      store.tag(ref, manifest);
      tagged = true;
    } finally {
      if (!tagged) {
        collectQuietly();
      }
    }
    return store.resolve(ref.toString());
  }

  /** Drops the blobs of a failed import (they are unreferenced: nothing was tagged). */
  private void collectQuietly() {
    try {
      store.gc();
    } catch (HostRuntimeException e) {
      // The next gc collects them; the import's own error is what the user needs.
    }
  }

  private LayerWriter.Result storeLayer(Path tarball, String what) throws HostRuntimeException {
    try (InputStream file = Files.newInputStream(tarball);
        BlobWriter blob = store.blobWriter()) {
      BufferedInputStream raw = new BufferedInputStream(file, 64 * 1024);
      DigestingInputStream tar = new DigestingInputStream(Compression.detect(raw).decompress(raw));
      try (OutputStream gzip = Compression.GZIP.compress(new KeepOpenOutputStream(blob.stream()))) {
        TarReader reader = new TarReader(new TeeInputStream(tar, gzip));
        Check check = new Check(what);
        for (TarEntry entry = reader.next(); entry != null; entry = reader.next()) {
          check.entry(entry);
        }
        reader.drain();
      }
      Digest diffId = tar.digest();
      Descriptor descriptor = blob.commit(Compression.GZIP.mediaType(), null);
      return new LayerWriter.Result(descriptor, diffId, tar.size());
    } catch (NoSuchFileException e) {
      throw HostRuntimeException.notFound(what + ": no such file");
    } catch (BadTarException e) {
      throw HostRuntimeException.badInput(what + ": " + e.getMessage());
    } catch (java.util.zip.ZipException e) {
      throw HostRuntimeException.badInput(what + ": bad gzip data: " + e.getMessage());
    } catch (IOException e) {
      throw HostRuntimeException.failed(what + ": " + e.getMessage(), e);
    }
  }

  /** The unpacker's refusals, checked on names alone while the tar streams by. */
  private static final class Check {
    private final String what;
    private final Set<String> symlinks = new HashSet<>();

    Check(String what) {
      this.what = what;
    }

    void entry(TarEntry entry) throws HostRuntimeException {
      String rel = clean(entry, entry.name(), "");
      for (String xattr : entry.xattrs().keySet()) {
        if (Whiteouts.isOverlayXattr(xattr)) {
          throw refuse(entry, "carries the overlayfs xattr " + xattr);
        }
      }
      underSymlink(entry, rel);
      if (entry.type() == TarEntry.Type.HARDLINK) {
        underSymlink(entry, clean(entry, entry.linkName(), "hard link target "));
      }
      if (entry.type() == TarEntry.Type.SYMLINK) {
        symlinks.add(rel);
      } else {
        symlinks.remove(rel);
      }
    }

    private void underSymlink(TarEntry entry, String rel) throws HostRuntimeException {
      for (String parent = EntryPaths.parent(rel);
          !parent.isEmpty();
          parent = EntryPaths.parent(parent)) {
        if (symlinks.contains(parent)) {
          throw refuse(entry, "lies under \"" + parent + "\", which is a symlink");
        }
      }
    }

    private String clean(TarEntry entry, String name, String role) throws HostRuntimeException {
      return EntryPaths.clean(what, entry, name, role);
    }

    private HostRuntimeException refuse(TarEntry entry, String why) {
      return EntryPaths.refuse(what, entry, why);
    }
  }

  /** Copies every byte read to a second stream (the compressor). */
  private static final class TeeInputStream extends java.io.FilterInputStream {
    private final OutputStream copy;

    TeeInputStream(InputStream in, OutputStream copy) {
      super(in);
      this.copy = copy;
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      if (b >= 0) {
        copy.write(b);
      }
      return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
      int n = in.read(buf, off, len);
      if (n > 0) {
        copy.write(buf, off, n);
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      byte[] scratch = new byte[(int) Math.min(n, 64 * 1024)];
      int r = read(scratch, 0, scratch.length);
      return Math.max(r, 0);
    }
  }
}
