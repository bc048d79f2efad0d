package dev.stamp.builder.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ShellLexerTest {

  private static final Map<String, String> ENV =
      Map.of(
          "PWD", "/home",
          "SHELL", "bash",
          "KOREAN", "한국어",
          "EMPTY", "",
          "PATHV", "/usr/local/bin:/usr/bin:/bin",
          "FILE", "archive.tar.gz");

  private final ShellLexer lexer = ShellLexer.of('\\');

  /**
   * Every line of envVarTest: SOURCE | EXPECTED (or "error": then the message and offset that
   * envVarTestErrors gives for SOURCE).
   */
  @TestFactory
  Stream<DynamicTest> envVarTable() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    Map<String, String[]> errors = new HashMap<>();
    try (InputStream in = getClass().getResourceAsStream("/dockerfile/shell/envVarTestErrors")) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (!line.startsWith("#") && !line.isBlank()) {
          String[] f = line.split("\t", 3);
          errors.put(f[0], new String[] {f[1], f[2]});
        }
      }
    }
    try (InputStream in = getClass().getResourceAsStream("/dockerfile/shell/envVarTest")) {
      String table = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      int lineNo = 0;
      for (String line : table.split("\n")) {
        lineNo++;
        if (line.startsWith("#") || line.isBlank()) {
          continue;
        }
        int bar = line.indexOf('|');
        String source = line.substring(0, bar).strip();
        String expected = line.substring(bar + 1).strip();
        tests.add(
            DynamicTest.dynamicTest(
                lineNo + ": " + source,
                () -> {
                  if (expected.equals("error")) {
                    String[] error = errors.get(source);
                    assertThat(error).as("a line of envVarTestErrors for %s", source).isNotNull();
                    assertThatThrownBy(() -> lexer.processWord(source, ENV))
                        .isInstanceOf(ExpansionException.class)
                        .hasMessage(error[1])
                        .extracting(e -> ((ExpansionException) e).offset())
                        .isEqualTo(Integer.parseInt(error[0]));
                  } else {
                    assertThat(lexer.processWord(source, ENV)).isEqualTo(expected);
                  }
                }));
      }
    }
    assertThat(tests).hasSizeGreaterThan(100);
    return tests.stream();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "hello world|hello,world",
        "'hello world'|hello world",
        "\"a b\" c|a b,c",
        "$SPACED|a,b",
        "\"$SPACED\"|a  b",
        "x${SPACED}y|xa,by",
        "a\\ b|a b",
        "''|",
      })
  void processWordsSplitsAfterSubstitutionOnUnquotedSpace(String source, String expected) {
    Map<String, String> env = Map.of("SPACED", "a  b");
    List<String> want = expected == null ? List.of() : List.of(expected.split(","));
    assertThat(processWords(source, env)).isEqualTo(want);
  }

  private List<String> processWords(String source, Map<String, String> env) {
    try {
      return lexer.processWords(source, env);
    } catch (ExpansionException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void backtickEscapeLeavesBackslashesAlone() throws Exception {
    ShellLexer windows = ShellLexer.of('`');
    assertThat(windows.processWord("c:\\windows\\$X", Map.of("X", "sys")))
        .isEqualTo("c:\\windows\\sys");
    assertThat(windows.processWord("`$X", Map.of("X", "sys"))).isEqualTo("$X");
    assertThat(windows.processWord("\"a`\"b\"", Map.of())).isEqualTo("a\"b");
  }

  @Test
  void unsetVariablesCanBeKeptVerbatim() throws Exception {
    ShellLexer keep = lexer.keepingUnsetVariables();
    assertThat(keep.processWord("$A/${B}/${C:-x}/${D/a/b}", Map.of()))
        .isEqualTo("$A/${B}/${C:-x}/${D/a/b}");
    assertThat(keep.processWord("${XXX?never evaluated}", Map.of()))
        .isEqualTo("${XXX?never evaluated}");
  }

  @Test
  void rawQuotesAndEscapesKeepTheSourceText() throws Exception {
    ShellLexer raw = lexer.withRawQuotes().withRawEscapes().keepingUnsetVariables();
    assertThat(raw.processWords("RUN <<'EOF' \"a b\" c\\ d", Map.of()))
        .containsExactly("RUN", "<<'EOF'", "\"a b\"", "c\\ d");
  }

  @Test
  void withoutQuoteProcessingQuotesAreText() throws Exception {
    ShellLexer heredoc = lexer.withoutQuoteProcessing();
    assertThat(heredoc.processWord("echo '$X' \"$X\"", Map.of("X", "1")))
        .isEqualTo("echo '1' \"1\"");
  }

  @Test
  void errorsCarryMessageAndOffset() {
    assertThatThrownBy(() -> lexer.processWord("abc \"def", Map.of()))
        .isInstanceOf(ExpansionException.class)
        .hasMessage("unexpected end of statement while looking for matching double-quote")
        .extracting(e -> ((ExpansionException) e).offset())
        .isEqualTo(4);
    assertThatThrownBy(() -> lexer.processWord("x${VERSION:?set VERSION}", Map.of()))
        .hasMessage("VERSION: set VERSION")
        .extracting(e -> ((ExpansionException) e).offset())
        .isEqualTo(1);
    assertThatThrownBy(() -> lexer.processWord("${E:?}", Map.of("E", "")))
        .hasMessage("E: is not allowed to be empty");
    assertThatThrownBy(() -> lexer.processWord("${V?}", Map.of()))
        .hasMessage("V: is not allowed to be unset");
    assertThatThrownBy(() -> lexer.processWord("${V:=x}", Map.of("V", "1")))
        .hasMessage("unsupported modifier (:=) in substitution");
  }

  @Test
  void shellPatternReversalKeepsEscapes() {
    assertThat(ShellPattern.reversePattern("a\\*c")).isEqualTo("c\\*a");
    assertThat(ShellPattern.trimSuffix("\\*", "a*", false)).isEqualTo("a");
  }
}
