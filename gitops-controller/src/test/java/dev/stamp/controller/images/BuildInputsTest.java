package dev.stamp.controller.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.controller.ControllerException;
import dev.stamp.controller.compose.ComposeApp;
import dev.stamp.controller.compose.ComposeLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Build inputs of an app loaded from a real directory ({@code stamp up}), not from a tree. */
class BuildInputsTest {

  @TempDir Path dir;

  @Test
  void aContextResolvesAgainstTheAppsDirectoryAndMayNotLeaveIt() throws Exception {
    Files.writeString(
        dir.resolve("compose.yaml"),
        "services:\n  web:\n    build: ./web\n  up:\n    build: {context: ../elsewhere}\n");
    ComposeApp app = ComposeLoader.load(dir, Map.of());

    BuildInputs web = BuildInputs.of(app, app.services().get("web"), dir.toString());
    assertThat(web.context()).isEqualTo("web");
    assertThat(web.dockerfile()).isEqualTo("web/Dockerfile");

    assertThatThrownBy(() -> BuildInputs.of(app, app.services().get("up"), dir.toString()))
        .isInstanceOf(ControllerException.class)
        .hasMessageContaining("services.up.build.context: leaves the repository");
  }
}
