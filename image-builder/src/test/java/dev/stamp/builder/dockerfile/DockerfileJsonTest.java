package dev.stamp.builder.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Golden files: {@code dockerfile/golden/<test>.Dockerfile} renders to {@code <test>.json}. Run
 * with {@code -Dstamp.updateGolden=true} to rewrite the expected files after a deliberate change.
 */
class DockerfileJsonTest {

  @Test
  void goServiceMultiStage(TestInfo test) throws Exception {
    Dockerfile df = checkGolden(test);
    assertThat(df.stages())
        .extracting(Stage::displayName)
        .containsExactly("build", "test", "stage-2");
  }

  @Test
  void pythonAppHeredocs(TestInfo test) throws Exception {
    Dockerfile df = checkGolden(test);
    assertThat(df.nodes().get(4).heredocs()).hasSize(1);
    assertThat(df.nodes().get(5).heredocs()).hasSize(2);
  }

  @Test
  void windowsBacktickOnbuild(TestInfo test) throws Exception {
    Dockerfile df = checkGolden(test);
    assertThat(df.directives().escape()).isEqualTo('`');
  }

  @Test
  void emptyArrayForNoNodesIsNeverProducedButRenderIsStable() throws Exception {
    Dockerfile df = Dockerfile.parse("Dockerfile", "FROM scratch\n");
    assertThat(DockerfileJson.render(df))
        .isEqualTo(
            "[\n  {\"instruction\":\"from\",\"flags\":[],\"args\":[\"scratch\"],\"line\":1,"
                + "\"endLine\":1}\n]\n");
  }

  private Dockerfile checkGolden(TestInfo test) throws Exception {
    String name = test.getTestMethod().orElseThrow().getName();
    String source = resource(name + ".Dockerfile");
    Dockerfile df = Dockerfile.parse("Dockerfile", source);
    Instructions.of(df);
    String json = DockerfileJson.render(df);
    if (Boolean.getBoolean("stamp.updateGolden")) {
      Path out = Path.of("src/test/resources/dockerfile/golden", name + ".json");
      Files.writeString(out, json, StandardCharsets.UTF_8);
    }
    assertThat(json).isEqualTo(resource(name + ".json"));
    return df;
  }

  private static String resource(String name) throws IOException {
    try (InputStream in =
        DockerfileJsonTest.class.getResourceAsStream("/dockerfile/golden/" + name)) {
      if (in == null) {
        return "<missing " + name + ">";
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
