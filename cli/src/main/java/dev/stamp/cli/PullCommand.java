package dev.stamp.cli;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.image.ImageReference;
import dev.stamp.runtime.image.ImageStore;
import dev.stamp.runtime.image.Platform;
import dev.stamp.runtime.registry.ImagePuller;
import dev.stamp.runtime.registry.PullResult;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code stamp pull REF}: fetch an image (mirrors first, only missing blobs) into the store. */
@Command(
    name = "pull",
    description = {
      "Pull an image from a registry into the local store.",
      "Mirrors from ROOT/config/registries.json are tried first; blobs already in the store are"
          + " not fetched again; every blob is digest-verified. Credentials come from"
          + " $DOCKER_CONFIG/config.json (default ~/.docker/config.json)."
    })
final class PullCommand extends StampCommand {

  @Parameters(paramLabel = "REF", description = "Image reference, e.g. busybox:1.36")
  String reference;

  @Option(
      names = {"-q", "--quiet"},
      description = "Print only the full reference of the pulled image.")
  boolean quiet;

  @Option(
      names = "--platform",
      paramLabel = "OS/ARCH[/VARIANT]",
      description = "Platform to pick from a multi-platform image (default: this host's).")
  String platform;

  @Override
  public Integer call() throws HostRuntimeException {
    ImageReference ref = ImageReference.parse(reference);
    PrintWriter out = out();
    PullResult result =
        new ImagePuller(registries(), ImageStore.open(stamp.root()), parsePlatform(platform))
            .pull(ref, TransferPrinter.unless(quiet, out));
    if (quiet) {
      out.println(ref);
    } else {
      out.println("Digest: " + result.remoteDigest());
      if (result.upToDate() || result.blobsPulled() == 0) {
        out.println("Status: image is up to date for " + ref.familiar());
      } else {
        out.println(
            "Status: pulled "
                + ref.familiar()
                + " from "
                + result.source()
                + " ("
                + result.blobsPulled()
                + " blobs, "
                + TransferPrinter.humanSize(result.bytesPulled())
                + ")");
      }
    }
    return exit(StampCli.EXIT_OK);
  }

  static Platform parsePlatform(String text) throws HostRuntimeException {
    if (text == null) {
      return Platform.host();
    }
    String[] parts = text.split("/", -1);
    if (parts.length < 2 || parts.length > 3 || java.util.Arrays.asList(parts).contains("")) {
      throw HostRuntimeException.badInput(
          "invalid platform \"" + text + "\": expected OS/ARCH[/VARIANT], e.g. linux/amd64");
    }
    return new Platform(parts[1], parts[0], null, null, parts.length == 3 ? parts[2] : null);
  }
}
