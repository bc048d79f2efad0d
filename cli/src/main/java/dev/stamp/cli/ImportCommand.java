package dev.stamp.cli;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampException;
import dev.stamp.runtime.image.Image;
import dev.stamp.runtime.image.ImageReference;
import dev.stamp.runtime.image.ImageStore;
import dev.stamp.runtime.layer.RootfsImporter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code stamp import ROOTFS.tar REF}: a root filesystem tarball becomes a one-layer image. */
@Command(
    name = "import",
    description = {
      "Create a one-layer image from a root filesystem tarball (plain, gzip or zstd) and print"
          + " its id. Reproducible: created is $SOURCE_DATE_EPOCH, else 1970-01-01T00:00:00Z."
    })
final class ImportCommand extends StampCommand {

  @Option(
      names = {"-c", "--change"},
      paramLabel = "INSTRUCTION",
      description =
          "Apply a Dockerfile instruction to the image config (repeatable): CMD, ENTRYPOINT, ENV,"
              + " EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR. Example: --change 'CMD [\"sh\"]'")
  List<String> changes = new ArrayList<>();

  @Parameters(index = "0", paramLabel = "ROOTFS.tar", description = "The root filesystem tarball.")
  Path tarball;

  @Parameters(index = "1", paramLabel = "REF", description = "Name for the image, e.g. base:1.")
  String ref;

  @Override
  public Integer call() throws StampException {
    ImageReference reference = ImageReference.parse(ref);
    if (!Files.isRegularFile(tarball)) {
      throw HostRuntimeException.notFound("import " + tarball + ": no such file");
    }
    ImageStore store = ImageStore.open(stamp.root());
    Image image = new RootfsImporter(store, System.getenv()).importTar(tarball, reference, changes);
    out().println(image.id());
    return StampCli.EXIT_OK;
  }
}
