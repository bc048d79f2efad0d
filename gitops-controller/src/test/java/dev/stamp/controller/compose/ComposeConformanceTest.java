package dev.stamp.controller.compose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The 70 Compose conformance cases of {@code ../shared/conformance/compose} (drawn from
 * compose-go's own tests), run in-process the way its {@code run.py} runs {@code stamp plan}: valid
 * cases load with the expected warnings and hold every {@code normalized} path of {@link
 * ComposeJson}; invalid ones fail with every {@code error_mentions} string. Skipped, with a
 * message, where the shared folder is absent.
 */
class ComposeConformanceTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern TOKEN =
      Pattern.compile("\\.?([^.\\[\\]\"#]+)|\\[(\\d+)]|\\[\"((?:[^\"\\\\]|\\\\.)*)\"]");

  /** The cases folder: {@code shared/conformance/compose/cases} beside the repository or above. */
  static Path casesDir() {
    Path start = Path.of("").toAbsolutePath();
    for (Path p = start; p != null; p = p.getParent()) {
      Path candidate = p.resolve("shared/conformance/compose/cases");
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  @TestFactory
  Stream<DynamicTest> conformanceCases() throws IOException {
    Path cases = casesDir();
    Assumptions.assumeTrue(
        cases != null,
        "no shared/conformance/compose/cases beside the repository (or above it): conformance"
            + " cases skipped");
    List<DynamicTest> tests = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(cases)) {
      for (Path dir : dirs.sorted().toList()) {
        if (Files.isRegularFile(dir.resolve("expect.json"))) {
          tests.add(DynamicTest.dynamicTest(dir.getFileName().toString(), () -> runCase(dir)));
        }
      }
    }
    assertThat(tests).hasSizeGreaterThanOrEqualTo(70);
    return tests.stream();
  }

  private static void runCase(Path dir) throws Exception {
    JsonNode expect = JSON.readTree(dir.resolve("expect.json").toFile());
    Map<String, String> env = new HashMap<>();
    expect.path("env").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
    if (!expect.path("valid").asBoolean()) {
      assertThatThrownBy(() -> ComposeLoader.load(dir, env))
          .isInstanceOf(ComposeException.class)
          .satisfies(
              e -> {
                String message = e.getMessage().toLowerCase(Locale.ROOT);
                for (JsonNode m : expect.path("error_mentions")) {
                  assertThat(message)
                      .as("error mentions %s", m.asText())
                      .contains(m.asText().toLowerCase(Locale.ROOT));
                }
              });
      return;
    }
    ComposeApp app = ComposeLoader.load(dir, env);
    String warnings = String.join("\n", app.warnings().stream().map(Object::toString).toList());
    for (JsonNode m : expect.path("warning_mentions")) {
      assertThat(warnings.toLowerCase(Locale.ROOT))
          .as("warnings mention %s", m.asText())
          .contains(m.asText().toLowerCase(Locale.ROOT));
    }
    for (JsonNode m : expect.path("no_warning_mentions")) {
      assertThat(warnings).as("no warning about %s", m.asText()).doesNotContain(m.asText());
    }
    JsonNode doc = JSON.valueToTree(ComposeJson.toMap(app));
    List<String> misses = new ArrayList<>();
    Iterator<Map.Entry<String, JsonNode>> it = expect.path("normalized").fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      String why = check(doc, e.getKey(), e.getValue());
      if (why != null) {
        misses.add(e.getKey() + ": " + why);
      }
    }
    assertThat(misses).as("normalized paths").isEmpty();
  }

  /** run.py's check_path: null when {@code path} in {@code doc} is what {@code want} says. */
  static String check(JsonNode doc, String path, JsonNode want) {
    boolean length = path.endsWith("#len");
    JsonNode actual = resolve(doc, length ? path.substring(0, path.length() - 4) : path);
    if (length) {
      if (actual == null || !(actual.isArray() || actual.isObject())) {
        return "missing or not a list/mapping";
      }
      actual = JSON.getNodeFactory().numberNode(actual.size());
    }
    if (want.isTextual() && want.asText().equals("<absent>")) {
      return actual == null || actual.isNull() ? null : "should be absent, got " + actual;
    }
    if (want.isTextual() && want.asText().equals("<zero>")) {
      boolean zero =
          actual == null
              || actual.isNull()
              || (actual.isTextual() && actual.asText().isEmpty())
              || (actual.isBoolean() && !actual.asBoolean())
              || ((actual.isArray() || actual.isObject()) && actual.isEmpty())
              || (actual.isNumber() && actual.asDouble() == 0);
      return zero ? null : "should be empty, got " + actual;
    }
    if (actual == null) {
      return "missing";
    }
    return equal(want, actual) ? null : "expected " + want + ", got " + actual;
  }

  private static JsonNode resolve(JsonNode doc, String path) {
    JsonNode cur = doc;
    Matcher m = TOKEN.matcher(path);
    int pos = 0;
    while (pos < path.length()) {
      if (!m.find(pos) || m.start() != pos) {
        throw new IllegalArgumentException("bad path " + path);
      }
      if (m.group(2) != null) {
        int i = Integer.parseInt(m.group(2));
        if (!cur.isArray() || i >= cur.size()) {
          return null;
        }
        cur = cur.get(i);
      } else {
        String key = m.group(1) != null ? m.group(1) : m.group(3);
        if (!cur.isObject() || !cur.has(key)) {
          return null;
        }
        cur = cur.get(key);
      }
      pos = m.end();
    }
    return cur;
  }

  private static boolean equal(JsonNode want, JsonNode actual) {
    if (want.isBoolean() || actual.isBoolean()) {
      return want.isBoolean() && actual.isBoolean() && want.asBoolean() == actual.asBoolean();
    }
    if (want.isNumber()) {
      return actual.isNumber()
          && Math.abs(want.asDouble() - actual.asDouble())
              <= Math.max(1e-9, 1e-6 * Math.abs(want.asDouble()));
    }
    if (want.isTextual()) {
      return actual.isTextual() && want.asText().equals(actual.asText());
    }
    if (want.isNull()) {
      return actual.isNull();
    }
    if (want.isArray()) {
      if (!actual.isArray() || want.size() != actual.size()) {
        return false;
      }
      for (int i = 0; i < want.size(); i++) {
        if (!equal(want.get(i), actual.get(i))) {
          return false;
        }
      }
      return true;
    }
    if (want.isObject()) {
      if (!actual.isObject() || want.size() != actual.size()) {
        return false;
      }
      Iterator<String> names = want.fieldNames();
      while (names.hasNext()) {
        String k = names.next();
        if (!actual.has(k) || !equal(want.get(k), actual.get(k))) {
          return false;
        }
      }
      return true;
    }
    return Objects.equals(want, actual);
  }
}
