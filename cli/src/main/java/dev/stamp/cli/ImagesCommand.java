package dev.stamp.cli;

import dev.stamp.runtime.StampException;
import dev.stamp.runtime.image.Image;
import dev.stamp.runtime.image.ImageStore;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code stamp images}: the local images, one row per name. */
@Command(name = "images", description = "List local images: REPOSITORY TAG IMAGE ID CREATED SIZE.")
final class ImagesCommand extends StampCommand {

  static final List<String> HEADER = List.of("REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE");

  @Option(
      names = {"-q", "--quiet"},
      description = "Print image ids only.")
  boolean quiet;

  @Override
  public Integer call() throws StampException {
    List<Image> images = ImageStore.open(stamp.root()).list();
    PrintWriter out = out();
    if (quiet) {
      Set<String> ids = new LinkedHashSet<>();
      images.forEach(image -> ids.add(image.id().shortHex()));
      ids.forEach(out::println);
      return StampCli.EXIT_OK;
    }
    List<List<String>> rows = new ArrayList<>();
    rows.add(HEADER);
    Instant now = Instant.now();
    for (Image image : images) {
      rows.add(
          List.of(
              image.reference().familiarName(),
              image.reference().tag() == null ? "<none>" : image.reference().tag(),
              image.id().shortHex(),
              Humanize.since(image.config().created(), now),
              Humanize.size(image.size())));
    }
    Table.print(out, rows);
    return StampCli.EXIT_OK;
  }
}
