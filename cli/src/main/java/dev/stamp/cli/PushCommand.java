package dev.stamp.cli;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.image.ImageReference;
import dev.stamp.runtime.image.ImageStore;
import dev.stamp.runtime.registry.ImagePusher;
import dev.stamp.runtime.registry.PushResult;
import dev.stamp.runtime.registry.Registries;
import dev.stamp.runtime.registry.TransferListener;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code stamp push REF}: upload a local image to the registry its name names. */
@Command(
    name = "push",
    description = {
      "Push an image from the local store to the registry its name names.",
      "Blobs the repository has are skipped, blobs another repository of the same registry has"
          + " are mounted, the rest are uploaded. One line per blob: exists, mounted or pushed."
    })
final class PushCommand implements Callable<Integer> {

  @ParentCommand StampCli stamp;

  @Spec CommandSpec spec;

  @Parameters(paramLabel = "REF", description = "Local image name, e.g. 127.0.0.1:5000/app:1")
  String reference;

  @Option(
      names = {"-q", "--quiet"},
      description = "Print only the pushed reference with its digest (REF@DIGEST).")
  boolean quiet;

  @Override
  public Integer call() throws HostRuntimeException {
    ImageReference ref = ImageReference.parse(reference);
    StampRoot root = stamp.root();
    ImageStore store = ImageStore.open(root);
    Registries registries = Registries.open(root, System.getenv()).logRequests(stamp.debug());
    PrintWriter out = spec.commandLine().getOut();
    TransferListener progress = quiet ? TransferListener.NONE : new TransferPrinter(out);
    PushResult result = new ImagePusher(registries, store).push(ref, progress);
    if (quiet) {
      out.println(ref.withDigest(result.digest()));
    } else {
      String name = ref.tag() != null ? ref.tag() : ref.familiarName();
      out.println(name + ": digest: " + result.digest() + " size: " + result.manifestSize());
    }
    out.flush();
    return StampCli.EXIT_OK;
  }
}
