package dev.stamp.cli;

import dev.stamp.runtime.StampException;
import dev.stamp.runtime.image.ImageReference;
import dev.stamp.runtime.image.ImageStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code stamp tag SRC DST}: another name for an image. */
@Command(name = "tag", description = "Give the image SRC (name, id or digest) the name DST.")
final class TagCommand extends StampCommand {

  @Parameters(index = "0", paramLabel = "SRC")
  String source;

  @Parameters(index = "1", paramLabel = "DST")
  String target;

  @Override
  public Integer call() throws StampException {
    ImageReference reference = ImageReference.parse(target);
    ImageStore.open(stamp.root()).tag(source, reference);
    return StampCli.EXIT_OK;
  }
}
