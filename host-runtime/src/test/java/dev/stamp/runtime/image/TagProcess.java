package dev.stamp.runtime.image;

import dev.stamp.runtime.StampRoot;
import java.nio.file.Path;

/** Run in child JVMs by {@link ImageStoreTest}: tags one manifest under many names. */
public final class TagProcess {

  private TagProcess() {}

  /** Args: ROOT MANIFEST_DIGEST MANIFEST_SIZE NAME_PREFIX COUNT. */
  public static void main(String[] args) throws Exception {
    ImageStore store = ImageStore.open(new StampRoot(Path.of(args[0])));
    Descriptor manifest =
        Descriptor.of(MediaType.OCI_MANIFEST, Digest.parse(args[1]), Long.parseLong(args[2]));
    int count = Integer.parseInt(args[4]);
    for (int i = 0; i < count; i++) {
      store.tag(ImageReference.parse(args[3] + ":" + i), manifest);
    }
  }
}
