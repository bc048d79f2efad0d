package dev.stamp.runtime.registry;

import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.image.ImageReference;
import dev.stamp.runtime.image.ImageStore;
import java.nio.file.Path;

/** Run in a child JVM by {@link InterruptedPullIT}: pulls one reference into a root. */
public final class PullProcess {

  private PullProcess() {}

  /** Args: ROOT REF. */
  public static void main(String[] args) throws Exception {
    ImageStore store = ImageStore.open(new StampRoot(Path.of(args[0])));
    new ImagePuller(new Registries(RegistryConfig.DEFAULT, CredentialSource.NONE), store)
        .pull(ImageReference.parse(args[1]), TransferListener.NONE);
  }
}
