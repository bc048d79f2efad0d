package dev.stamp.jenkins;

import static org.assertj.core.api.Assertions.assertThat;

import groovy.lang.GroovyClassLoader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.codehaus.groovy.control.CompilationUnit;
import org.codehaus.groovy.control.Phases;
import org.codehaus.groovy.control.SourceUnit;
import org.junit.jupiter.api.Test;

/** The library's pure parts and its files, without a controller. */
class LibraryTest {

  static final Path LIB = Path.of(System.getProperty("stamp.pipelineLib", "."));

  @Test
  void theSampleJenkinsfilesAreGroovy24() throws IOException {
    List<Path> samples;
    try (Stream<Path> files =
        Files.list(LIB.toAbsolutePath().normalize().getParent().resolve("samples/jenkins"))) {
      samples = files.filter(p -> p.getFileName().toString().startsWith("Jenkinsfile")).toList();
    }
    assertThat(samples).hasSizeGreaterThanOrEqualTo(3);
    for (Path sample : samples) {
      CompilationUnit unit = new CompilationUnit(new GroovyClassLoader());
      SourceUnit source = unit.addSource(sample.toFile());
      unit.compile(Phases.CONVERSION);
      assertThat(source.getAST()).as(sample.toString()).isNotNull();
    }
    assertThat(String.join("\n", read(samples)))
        .contains("immutableDeploy(", "immutableDeploy.plan(", "immutableDeploy.rollback(");
  }

  private static List<String> read(List<Path> files) throws IOException {
    List<String> texts = new java.util.ArrayList<>();
    for (Path f : files) {
      texts.add(Files.readString(f));
    }
    return texts;
  }

  @Test
  @SuppressWarnings({"rawtypes", "unchecked"})
  void eventsCutOffByTheEndOfAReadAreLeftForTheNextRead() {
    List<Map> events =
        Sse.parse(
            ": heartbeat\r\n\r\nid: 3\r\nevent: rollout\r\ndata: {\"id\":3,\"release\":7}\r\n\r\n"
                + "id: 4\nevent: release\ndata: {\"id\":4,\"release\":7}\n\nid: 5\nevent: rel");

    assertThat(events).hasSize(2);
    assertThat((Map<Object, Object>) events.get(0))
        .containsEntry("id", 3L)
        .containsEntry("event", "rollout");
    assertThat((Map<Object, Object>) events.get(1).get("data")).containsEntry("release", 7);
  }

  @Test
  void whatTheStepsKeepBetweenStepsSerializes() throws IOException {
    Object parsed = Json.parseOrNull("{\"a\":[1,{\"b\":\"c\"}],\"d\":1.5}");
    Object release =
        Render.result(
            Map.of(
                "id",
                42,
                "app",
                "shop",
                "state",
                "succeeded",
                "digests",
                Map.of("web", "sha256:00"),
                "hosts",
                List.of(Map.of("host", "a", "service", "web", "result", "succeeded"))));
    for (Object o : List.of(parsed, release, Sse.parse("id: 1\ndata: {\"x\":1}\n\n"))) {
      try (ObjectOutputStream out = new ObjectOutputStream(new ByteArrayOutputStream())) {
        out.writeObject(o);
      }
      assertThat(o.getClass().getName()).startsWith("java.util.");
    }
  }

  @Test
  void theHelpTextNamesEveryParameter() throws IOException {
    String help = Files.readString(LIB.resolve("vars/immutableDeploy.txt"));
    for (Map<?, ?> spec : List.of(Args.getDEPLOY(), Args.getPLAN(), Args.getROLLBACK())) {
      for (Object key : spec.keySet()) {
        assertThat(help).as("help text names " + key).contains("<code>" + key + "</code>");
      }
    }
  }
}
