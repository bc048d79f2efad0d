package dev.stamp.builder.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.runtime.StampRoot;
import dev.stamp.testkit.BusyboxRootfs;
import dev.stamp.testkit.RequiresRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ImageBuilder#plan} predicts exactly the keys a real build then records. */
@RequiresRoot
class BuildPlanIT {

  @TempDir static Path shared;
  @TempDir Path tmp;

  static StampRoot root;

  @BeforeAll
  static void buildBase() throws Exception {
    if (!BusyboxRootfs.available()) {
      return;
    }
    root = new StampRoot(shared.resolve("root"));
    ImageBuilderIT.buildSampleBase(root, shared.resolve("base-ctx"), "");
  }

  @BeforeEach
  void busybox() {
    org.junit.jupiter.api.Assumptions.assumeTrue(BusyboxRootfs.available(), "busybox-static");
  }

  @Test
  void planEqualsTheKeysABuildRecordsAndABuildHitsThem() throws Exception {
    Path ctx = tmp.resolve("ctx");
    Files.createDirectories(ctx.resolve("src"));
    Files.writeString(ctx.resolve("src/a.txt"), "a\n");
    Files.writeString(ctx.resolve("src/b.txt"), "b\n");
    Files.writeString(
        ctx.resolve("Dockerfile"),
        "FROM "
            + ImageBuilderIT.BASE
            + " AS tools\nRUN mkdir -p /opt && echo t > /opt/tool\n"
            + "FROM "
            + ImageBuilderIT.BASE
            + "\nARG WHO=me\nENV GREETING=hi\nWORKDIR /srv/app\n"
            + "COPY --chown=app:app src/ ./src/\n"
            + "COPY --from=tools /opt/tool /usr/local/bin/tool\n"
            + "USER app\n"
            + "RUN --mount=type=bind,source=src,target=/in"
            + " --mount=type=bind,from=tools,source=/opt,target=/opt-tools"
            + " cat /in/a.txt /opt-tools/tool > /tmp/out && echo $WHO $GREETING >> /tmp/out\n"
            + "ADD <<EOF /srv/app/note\nnote\nEOF\n"
            + "CMD [\"cat\", \"/tmp/out\"]\n");
    BuildRequest req = BuildRequest.of(ctx);
    BuildKeys planned = ImageBuilder.open(root).plan(req);

    BuildResult built = ImageBuilder.open(root).build(req, Progress.NONE);
    assertThat(built.cacheKey()).isEqualTo(planned.cacheKey());
    List<BuildKeys.Step> recorded =
        built.steps().stream()
            .map(s -> new BuildKeys.Step(s.stage(), s.index(), s.text(), s.cacheKey()))
            .sorted(
                java.util.Comparator.comparing(BuildKeys.Step::stage)
                    .thenComparingInt(BuildKeys.Step::index))
            .toList();
    assertThat(recorded)
        .containsExactlyInAnyOrderElementsOf(planned.steps())
        .hasSize(planned.steps().size());
    for (BuildKeys.Step step : planned.steps()) {
      if (step.text().startsWith("RUN")
          || step.text().startsWith("COPY")
          || step.text().startsWith("ADD")) {
        assertThat(root.path().resolve("build-cache/" + step.cacheKey() + ".json"))
            .as("the build recorded %s under the planned key", step.text())
            .isRegularFile();
      }
    }
    assertThat(ImageBuilder.open(root).plan(req)).isEqualTo(planned);
    BuildResult again = ImageBuilder.open(root).build(req, Progress.NONE);
    assertThat(again.cacheKey()).isEqualTo(planned.cacheKey());
    assertThat(again.manifestDigest()).isEqualTo(built.manifestDigest());
  }
}
