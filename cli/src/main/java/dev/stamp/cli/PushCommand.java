package dev.stamp.cli;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.image.ImageReference;
import dev.stamp.runtime.image.ImageStore;
import dev.stamp.runtime.registry.ImagePusher;
import dev.stamp.runtime.registry.PushResult;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code stamp push REF}: upload a local image to the registry its name names. */
@Command(
    name = "push",
    description = {
      "Push an image from the local store to the registry its name names.",
      "Blobs the repository has are skipped, blobs another repository of the same registry has"
          + " are mounted, the rest are uploaded. One line per blob: exists, mounted or pushed."
    })
final class PushCommand extends StampCommand {

  @Parameters(paramLabel = "REF", description = "Local image name, e.g. 127.0.0.1:5000/app:1")
  String reference;

  @Option(
      names = {"-q", "--quiet"},
      description = "Print only the pushed reference with its digest (REF@DIGEST).")
  boolean quiet;

  @Override
  public Integer call() throws HostRuntimeException {
    ImageReference ref = ImageReference.parse(reference);
    PrintWriter out = out();
    PushResult result =
        new ImagePusher(registries(), ImageStore.open(stamp.root()))
            .push(ref, TransferPrinter.unless(quiet, out));
    if (quiet) {
      out.println(ref.withDigest(result.digest()));
    } else {
      String name = ref.tag() != null ? ref.tag() : ref.familiarName();
      out.println(name + ": digest: " + result.digest() + " size: " + result.manifestSize());
    }
    return exit(StampCli.EXIT_OK);
  }
}
