package dev.stamp.runtime.image;

import dev.stamp.runtime.HostRuntimeException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Small images written straight into a store, for store tests (layers are opaque bytes here). */
final class TestImages {

  private TestImages() {}

  /**
   * Stores a one-layer image whose layer and config depend on {@code seed}, tags it {@code ref}.
   */
  static Image put(ImageStore store, String ref, String seed) throws HostRuntimeException {
    Descriptor manifest = putUntagged(store, seed);
    store.tag(ImageReference.parse(ref), manifest);
    return store.resolve(ref);
  }

  static Descriptor putUntagged(ImageStore store, String seed) throws HostRuntimeException {
    byte[] layer = ("layer " + seed).getBytes(StandardCharsets.UTF_8);
    Descriptor layerDesc = store.putBlob(MediaType.OCI_LAYER_TAR, layer);
    ImageConfig config =
        ImageConfig.of(
            Platform.host(),
            "1970-01-01T00:00:00Z",
            ContainerConfig.builder().cmd(List.of("sh", seed)).build(),
            List.of(layerDesc.digest()),
            List.of(HistoryEntry.of("1970-01-01T00:00:00Z", "test " + seed, false)));
    Descriptor configDesc = store.putConfig(config);
    return store.putManifest(ImageManifest.of(configDesc, List.of(layerDesc)));
  }
}
