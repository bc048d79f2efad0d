package dev.stamp.runtime.layer;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.image.ContainerConfig;
import dev.stamp.runtime.image.Descriptor;
import dev.stamp.runtime.image.Digest;
import dev.stamp.runtime.image.HistoryEntry;
import dev.stamp.runtime.image.Image;
import dev.stamp.runtime.image.ImageConfig;
import dev.stamp.runtime.image.ImageManifest;
import dev.stamp.runtime.image.ImageReference;
import dev.stamp.runtime.image.ImageStore;
import dev.stamp.runtime.image.Platform;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Images made of hand-built layer tars, stored gzip-compressed. */
final class LayerFixtures {

  private LayerFixtures() {}

  static Image image(ImageStore store, String ref, byte[]... tars)
      throws HostRuntimeException, IOException {
    List<Descriptor> layers = new ArrayList<>();
    List<Digest> diffIds = new ArrayList<>();
    for (byte[] tar : tars) {
      layers.add(
          store.putBlob(
              Compression.GZIP.mediaType(), LayerUnpackerTest.compress(tar, Compression.GZIP)));
      diffIds.add(Digest.of(tar));
    }
    ImageConfig config =
        ImageConfig.of(
            Platform.host(),
            "1970-01-01T00:00:00Z",
            ContainerConfig.builder().cmd(List.of("/bin/sh")).build(),
            diffIds,
            List.of(HistoryEntry.of("1970-01-01T00:00:00Z", "fixture", false)));
    Descriptor manifest = store.putManifest(ImageManifest.of(store.putConfig(config), layers));
    store.tag(ImageReference.parse(ref), manifest);
    return store.resolve(ref);
  }
}
