package dev.stamp.builder.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.builder.BuildException;
import dev.stamp.builder.dockerfile.DockerfileSyntaxException;
import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampException;
import dev.stamp.runtime.StampException.Kind;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.image.ImageStore;
import dev.stamp.runtime.layer.LayerStore;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A build's errors keep what to do next: the cause's kind and retryability, at the line. */
class BuildErrorKindsTest {

  @TempDir Path tmp;

  private ImageBuilder builder(BaseImageResolver bases) throws Exception {
    StampRoot root = new StampRoot(tmp.resolve("root"));
    ImageStore store = ImageStore.open(root);
    RunExecutor never =
        req -> {
          throw new AssertionError("nothing runs");
        };
    return new ImageBuilder(root, store, LayerStore.open(root, store), never, bases);
  }

  private Path context(String dockerfile) throws Exception {
    Path ctx = Files.createTempDirectory(tmp, "ctx");
    Files.writeString(ctx.resolve("Dockerfile"), dockerfile);
    return ctx;
  }

  @Test
  void aBaseMissingFromTheLocalStoreIsNotFoundAtItsFromLine() throws Exception {
    ImageBuilder b = builder(null);
    b = builder(BaseImageResolver.localStore(b.store()));
    Path ctx = context("FROM scratch AS a\nFROM nothing-here:1\nRUN true\n");
    ImageBuilder built = b;
    assertThatThrownBy(() -> built.build(BuildRequest.of(ctx), Progress.NONE))
        .isInstanceOf(BuildException.class)
        .isNotInstanceOf(DockerfileSyntaxException.class)
        .hasMessage(
            "Dockerfile:2:1: FROM nothing-here:1: no such image in the local store (pull it"
                + " first)")
        .satisfies(
            e -> {
              assertThat(((StampException) e).kind()).isEqualTo(Kind.NOT_FOUND);
              assertThat(((StampException) e).retryable()).isFalse();
            });
  }

  @Test
  void aRetryableResolverFailureStaysRetryable() throws Exception {
    HostRuntimeException busy =
        new HostRuntimeException(Kind.FAILED, "pull r/a:1: UNKNOWN: busy", null, true);
    ImageBuilder b =
        builder(
            ref -> {
              throw BuildException.wrap("FROM " + ref, busy);
            });
    Path ctx = context("FROM r/a:1\n");
    assertThatThrownBy(() -> b.build(BuildRequest.of(ctx), Progress.NONE))
        .hasMessage("Dockerfile:1:1: FROM r/a:1: pull r/a:1: UNKNOWN: busy")
        .satisfies(
            e -> {
              assertThat(((StampException) e).kind()).isEqualTo(Kind.FAILED);
              assertThat(((StampException) e).retryable()).isTrue();
            });
  }

  @Test
  void aCopyFromAnImageThatIsNowhereIsNotFoundAtItsLine() throws Exception {
    ImageBuilder b = builder(null);
    ImageBuilder local = builder(BaseImageResolver.localStore(b.store()));
    Path ctx = context("FROM scratch\nCOPY --from=nothing-here:1 /x /x\n");
    assertThatThrownBy(() -> local.build(BuildRequest.of(ctx), Progress.NONE))
        .isNotInstanceOf(DockerfileSyntaxException.class)
        .hasMessageStartingWith("Dockerfile:2:1: ")
        .hasMessageContaining("nothing-here:1")
        .extracting(e -> ((StampException) e).kind())
        .isEqualTo(Kind.NOT_FOUND);
  }
}
