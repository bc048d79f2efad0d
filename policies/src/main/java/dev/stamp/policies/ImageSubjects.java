package dev.stamp.policies;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.image.Descriptor;
import dev.stamp.runtime.image.Image;
import dev.stamp.runtime.image.ImageStore;
import dev.stamp.runtime.layer.Compression;
import dev.stamp.runtime.layer.TarEntry;
import dev.stamp.runtime.layer.TarReader;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads an {@link ImageSubject} from the local image store: config and layer tar headers. */
public final class ImageSubjects {

  private ImageSubjects() {}

  /**
   * The image {@code reference} names in {@code store}, with every layer's entries (headers only,
   * data skipped). NOT_FOUND when there is no such image; FAILED when a layer cannot be read.
   */
  public static ImageSubject read(
      ImageStore store,
      String reference,
      int baseLayers,
      Optional<String> app,
      Optional<String> service,
      Optional<String> dockerfile)
      throws HostRuntimeException {
    Image image = store.resolve(reference);
    List<ImageSubject.Layer> layers = new ArrayList<>();
    for (Descriptor layer : image.layers()) {
      layers.add(
          new ImageSubject.Layer(
              layer.digest().toString(), layer.size(), files(store, reference, layer)));
    }
    return new ImageSubject(
        reference,
        image.config().runConfig(),
        layers,
        Math.min(baseLayers, layers.size()),
        app,
        service,
        dockerfile);
  }

  private static List<ImageSubject.LayerFile> files(
      ImageStore store, String reference, Descriptor layer) throws HostRuntimeException {
    List<ImageSubject.LayerFile> files = new ArrayList<>();
    try (InputStream raw = new BufferedInputStream(store.openBlob(layer.digest()), 65536)) {
      BufferedInputStream buffered = (BufferedInputStream) raw;
      InputStream tar = Compression.detect(buffered).decompress(buffered);
      TarReader reader = new TarReader(tar);
      for (TarEntry e = reader.next(); e != null; e = reader.next()) {
        files.add(
            new ImageSubject.LayerFile(
                e.name(),
                e.mode(),
                e.uid(),
                e.type() == TarEntry.Type.DIRECTORY,
                e.type() == TarEntry.Type.SYMLINK));
      }
    } catch (IOException e) {
      throw new HostRuntimeException(
          HostRuntimeException.Kind.FAILED,
          "lint image " + reference + ": read layer " + layer.digest() + ": " + e.getMessage(),
          e);
    }
    return files;
  }
}
