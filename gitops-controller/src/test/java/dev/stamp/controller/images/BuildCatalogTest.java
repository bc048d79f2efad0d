package dev.stamp.controller.images;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The catalogue {@code stamp up} keeps under the state root outlives the process that wrote it. */
class BuildCatalogTest {

  @TempDir Path dir;

  @Test
  void anEntryRecordedInADirectoryIsFoundByALaterCatalogueOnIt() throws Exception {
    CatalogEntry e =
        new CatalogEntry(
            "src:abc/def",
            "shop",
            "web",
            "shop/web:0123456789ab",
            "sha256:" + "1".repeat(64),
            "up:0123",
            Instant.parse("2026-01-02T03:04:05Z"),
            Duration.ofMillis(1500));
    BuildCatalog.inDirectory(dir.resolve("builds")).record(e);

    BuildCatalog later = BuildCatalog.inDirectory(dir.resolve("builds"));
    assertThat(later.find("src:abc/def")).contains(e);
    assertThat(later.find("src:other")).isEmpty();

    try (var files = Files.list(dir.resolve("builds"))) {
      Path only = files.findFirst().orElseThrow();
      Files.writeString(only, "{not json");
    }
    assertThat(later.find("src:abc/def")).as("unreadable: built again").isEmpty();
  }
}
