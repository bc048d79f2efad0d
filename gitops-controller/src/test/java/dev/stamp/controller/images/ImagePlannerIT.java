package dev.stamp.controller.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.builder.engine.ImageBuilder;
import dev.stamp.builder.engine.Progress;
import dev.stamp.controller.ControllerException;
import dev.stamp.controller.git.DirectorySnapshot;
import dev.stamp.runtime.StampException;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.image.ImageConfig;
import dev.stamp.runtime.image.ImageReference;
import dev.stamp.runtime.image.ImageStore;
import dev.stamp.runtime.layer.RootfsImporter;
import dev.stamp.testkit.BusyboxRootfs;
import dev.stamp.testkit.RequiresRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The planner against the real builder: a first sync builds, an unchanged service is reused by its
 * source key without a build, a change outside what the Dockerfile sees is reused by its content
 * key, a change it sees builds, and going back to earlier inputs (a revert) gives the earlier
 * digest again without a build.
 */
@RequiresRoot
class ImagePlannerIT {

  @TempDir Path tmp;

  StampRoot root;
  ImageBuilder builder;
  BuildCatalog catalog;
  Path repo;

  @BeforeEach
  void setUp() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(BusyboxRootfs.available(), "busybox-static");
    root = new StampRoot(tmp.resolve("root"));
    Path rootfs = BusyboxRootfs.create(tmp.resolve("rootfs"));
    Path tar = BusyboxRootfs.tar(rootfs, tmp.resolve("base.tar"));
    new RootfsImporter(ImageStore.open(root), Map.of())
        .importTar(tar, ImageReference.parse("base:1"), List.of());
    builder = ImageBuilder.open(root);
    catalog = BuildCatalog.inMemory();
    repo = Files.createDirectories(tmp.resolve("repo"));
    write("apps/shop/web/Dockerfile", "FROM base:1\nCOPY index.html /srv/index.html\n");
    write("apps/shop/web/index.html", "v1\n");
    write("apps/shop/web/.dockerignore", "notes.txt\n");
    write(
        "apps/shop/api/Dockerfile",
        "FROM base:1\nCOPY api.sh /api.sh\nCMD [\"sh\", \"/api.sh\"]\n");
    write("apps/shop/api/api.sh", "echo api\n");
  }

  ImagePlanner planner() {
    return new ImagePlanner(
        builder, catalog, tmp.resolve("work"), 2, "file:///repo", Clock.systemUTC());
  }

  List<BuildInputs> inputs() {
    return List.of(
        new BuildInputs(
            "shop", "web", "apps/shop/web", "apps/shop/web/Dockerfile", Map.of(), Optional.empty()),
        new BuildInputs(
            "shop",
            "api",
            "apps/shop/api",
            "apps/shop/api/Dockerfile",
            Map.of(),
            Optional.empty()));
  }

  @Test
  void buildsOnceReusesBySourceAndContentKeyAndARevertGivesTheSameDigest() throws Exception {
    DirectorySnapshot c1 = new DirectorySnapshot(repo, "c1");
    assertThat(planner().plan(c1, inputs()))
        .extracting(ImageDecision::action)
        .containsExactly(ImageDecision.Action.BUILD, ImageDecision.Action.BUILD);
    Map<String, ServiceImage> first = planner().ensure(c1, inputs(), Progress.NONE);
    assertThat(first.values())
        .extracting(ServiceImage::action)
        .containsOnly(ImageDecision.Action.BUILD);
    ImageStore store = ImageStore.open(root);
    ImageConfig config = store.resolve("shop/web:" + c1.commit().shortId()).config();
    assertThat(config.config().labels())
        .containsEntry("org.opencontainers.image.revision", c1.commit().id())
        .containsEntry("org.opencontainers.image.source", "file:///repo");

    // nothing changed: both reused by source key, no build, tagged with the new "commit"
    DirectorySnapshot c2 = new DirectorySnapshot(repo, "c2");
    Map<String, ServiceImage> second = planner().ensure(c2, inputs(), Progress.NONE);
    assertThat(second.values())
        .extracting(ServiceImage::action)
        .containsOnly(ImageDecision.Action.REUSE);
    assertThat(second.get("web").digest()).isEqualTo(first.get("web").digest());
    assertThat(store.resolve("shop/web:" + c2.commit().shortId()).manifestDigest().toString())
        .isEqualTo(first.get("web").digest());

    // a file the Dockerfile cannot see (.dockerignore'd): new source key, same content key
    write("apps/shop/web/notes.txt", "notes\n");
    DirectorySnapshot c3 = new DirectorySnapshot(repo, "c3");
    ServiceImage ignored = planner().ensure(c3, inputs(), Progress.NONE).get("web");
    assertThat(ignored.action()).isEqualTo(ImageDecision.Action.REUSE);
    assertThat(ignored.key()).startsWith("content:");
    assertThat(ignored.digest()).isEqualTo(first.get("web").digest());

    // a change it sees: web builds, api is reused
    write("apps/shop/web/index.html", "v2\n");
    DirectorySnapshot c4 = new DirectorySnapshot(repo, "c4");
    Map<String, ServiceImage> changed = planner().ensure(c4, inputs(), Progress.NONE);
    assertThat(changed.get("web").action()).isEqualTo(ImageDecision.Action.BUILD);
    assertThat(changed.get("web").digest()).isNotEqualTo(first.get("web").digest());
    assertThat(changed.get("api").action()).isEqualTo(ImageDecision.Action.REUSE);

    // revert: the inputs of c3 again → c1's image, no build
    write("apps/shop/web/index.html", "v1\n");
    DirectorySnapshot c5 = new DirectorySnapshot(repo, "c5");
    assertThat(planner().plan(c5, inputs()))
        .extracting(ImageDecision::action)
        .containsExactly(ImageDecision.Action.REUSE, ImageDecision.Action.REUSE);
    ServiceImage reverted = planner().ensure(c5, inputs(), Progress.NONE).get("web");
    assertThat(reverted.action()).isEqualTo(ImageDecision.Action.REUSE);
    assertThat(reverted.digest()).isEqualTo(first.get("web").digest());
  }

  @Test
  void aBrokenDockerfileFailsNamingTheServiceAndLine() throws Exception {
    write("apps/shop/web/Dockerfile", "FROM base:1\nCOPY missing.txt /x\n");
    DirectorySnapshot c1 = new DirectorySnapshot(repo, "c1");
    assertThatThrownBy(() -> planner().ensure(c1, inputs(), Progress.NONE))
        .isInstanceOf(ControllerException.class)
        .hasMessageContaining("service web")
        .hasMessageContaining("apps/shop/web/Dockerfile")
        .hasMessageContaining("missing.txt")
        .satisfies(e -> assertThat(((StampException) e).kind()).isNotNull());
  }

  @Test
  void aMissingContextOrDockerfileIsBadInput() throws Exception {
    DirectorySnapshot c1 = new DirectorySnapshot(repo, "c1");
    List<BuildInputs> bad =
        List.of(
            new BuildInputs(
                "shop",
                "db",
                "apps/shop/db",
                "apps/shop/db/Dockerfile",
                Map.of(),
                Optional.empty()));
    assertThatThrownBy(() -> planner().plan(c1, bad))
        .isInstanceOf(ControllerException.class)
        .hasMessageContaining("service db")
        .hasMessageContaining("apps/shop/db");
  }

  @Test
  void literalBasesSkipScratchAndStages() {
    assertThat(
            ImagePlanner.literalBases(
                "FROM base:1 AS build\nRUN x\nfrom --platform=linux/amd64 build\nFROM scratch\nFROM other:2\n"))
        .containsExactly("base:1", "other:2");
  }

  private void write(String path, String text) throws Exception {
    Path p = repo.resolve(path);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text);
  }
}
