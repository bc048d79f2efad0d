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

/** Build contexts relative to the tree's root: the Git tree's marker, or a real directory. */
class BuildInputsTest {

  @TempDir Path dir;

  ComposeApp load(String yaml) throws Exception {
    Files.writeString(dir.resolve("compose.yaml"), yaml);
    return ComposeLoader.load(dir, Map.of());
  }

  @Test
  void aRealProjectDirectoryIsTheTreesRoot() throws Exception {
    Files.createDirectories(dir.resolve("api"));
    ComposeApp app =
        load(
            "name: shop\nservices:\n  web: {build: .}\n"
                + "  api: {build: {context: ./api, dockerfile: api.Dockerfile}}\n"
                + "  out: {build: ..}\n");
    String root = dir.toString();

    BuildInputs web = BuildInputs.of(app, app.services().get("web"), root);
    assertThat(web.context()).isEmpty();
    assertThat(web.dockerfile()).isEqualTo("Dockerfile");
    BuildInputs api = BuildInputs.of(app, app.services().get("api"), root);
    assertThat(api.context()).isEqualTo("api");
    assertThat(api.dockerfile()).isEqualTo("api/api.Dockerfile");
    assertThatThrownBy(() -> BuildInputs.of(app, app.services().get("out"), root))
        .isInstanceOf(ControllerException.class)
        .hasMessageContaining("services.out.build.context: leaves the repository");
  }
}
