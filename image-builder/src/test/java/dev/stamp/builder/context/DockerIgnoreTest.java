package dev.stamp.builder.context;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.builder.BuildException;
import dev.stamp.runtime.StampException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Mirrors moby/patternmatcher's tables (TestMatches, TestMatch, ignorefile.ReadAll). */
class DockerIgnoreTest {

  /** pattern | path | fail, exact (the path itself matches) or inexact (a parent matches). */
  @ParameterizedTest(name = "{0} ~ {1}: {2}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "**|file|exact",
        "**|file/|exact",
        "**/|file|exact",
        "**/|file/|exact",
        "**|/|exact",
        "**/|/|exact",
        "**|dir/file|exact",
        "**/|dir/file|exact",
        "**|dir/file/|exact",
        "**/|dir/file/|exact",
        "**/**|dir/file|exact",
        "**/**|dir/file/|exact",
        "dir/**|dir/file|exact",
        "dir/**|dir/file/|exact",
        "dir/**|dir/dir2/file|exact",
        "dir/**|dir/dir2/file/|exact",
        "**/dir|dir|exact",
        "**/dir|dir/file|inexact",
        "**/dir2/*|dir/dir2/file|exact",
        "**/dir2/*|dir/dir2/file/|inexact",
        "**/dir2/**|dir/dir2/dir3/file|exact",
        "**/dir2/**|dir/dir2/dir3/file/|exact",
        "**file|file|exact",
        "**file|dir/file|exact",
        "**/file|dir/file|exact",
        "**file|dir/dir/file|exact",
        "**/file|dir/dir/file|exact",
        "**/file*|dir/dir/file|exact",
        "**/file*|dir/dir/file.txt|exact",
        "**/file*txt|dir/dir/file.txt|exact",
        "**/file*.txt|dir/dir/file.txt|exact",
        "**/file*.txt*|dir/dir/file.txt|exact",
        "**/**/*.txt|dir/dir/file.txt|exact",
        "**/**/*.txt2|dir/dir/file.txt|fail",
        "**/*.txt|file.txt|exact",
        "**/**/*.txt|file.txt|exact",
        "a**/*.txt|a/file.txt|exact",
        "a**/*.txt|a/dir/file.txt|exact",
        "a**/*.txt|a/dir/dir/file.txt|exact",
        "a/*.txt|a/dir/file.txt|fail",
        "a/*.txt|a/file.txt|exact",
        "a/*.txt**|a/file.txt|exact",
        "a[b-d]e|ae|fail",
        "a[b-d]e|ace|exact",
        "a[b-d]e|aae|fail",
        "a[^b-d]e|aze|exact",
        ".*|.foo|exact",
        ".*|foo|fail",
        "abc.def|abcdef|fail",
        "abc.def|abc.def|exact",
        "abc.def|abcZdef|fail",
        "abc?def|abcZdef|exact",
        "abc?def|abcdef|fail",
        "**/foo/bar|foo/bar|exact",
        "**/foo/bar|dir/foo/bar|exact",
        "**/foo/bar|dir/dir2/foo/bar|exact",
        "abc/**|abc|fail",
        "abc/**|abc/def|exact",
        "abc/**|abc/def/ghi|exact",
        "**/.foo|.foo|exact",
        "**/.foo|bar.foo|fail",
        "a(b)c/def|a(b)c/def|exact",
        "a(b)c/def|a(b)c/xyz|fail",
        "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl|dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl|exact",
        "dist/*.whl|dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl|exact",
        "a\\\\|a\\|exact",
        "a\\*b|a*b|exact",
        "docs|docs/README.md|inexact",
        "docs/|docs/README.md|inexact",
      })
  void singlePattern(String pattern, String path, String pass) {
    DockerIgnore ignore = DockerIgnore.of(List.of(pattern));
    assertThat(ignore.matches(path)).as("matches").isEqualTo(pass.equals("exact"));
    assertThat(ignore.isExcluded(path)).as("isExcluded").isEqualTo(!pass.equals("fail"));
  }

  @Test
  void csvCannotHoldThisOneSoItIsHere() {
    DockerIgnore ignore = DockerIgnore.of(List.of("a.|)$(}+{bc"));
    assertThat(ignore.matches("a.|)$(}+{bc")).isTrue();
  }

  @Test
  void lastMatchWinsAndExceptionsReinclude() {
    assertThat(DockerIgnore.of(List.of("**", "!util/docker/web")).isExcluded("util/docker/web/foo"))
        .isFalse();
    assertThat(
            DockerIgnore.of(List.of("**", "!util/docker/web", "util/docker/web/foo"))
                .isExcluded("util/docker/web/foo"))
        .isTrue();
    assertThat(DockerIgnore.of(List.of("**", "!dist/*.whl")).isExcluded("dist/x-1.0-py3.whl"))
        .isFalse();
    assertThat(DockerIgnore.of(List.of("!fileutils.go", "*.go")).isExcluded("fileutils.go"))
        .isTrue();
    assertThat(DockerIgnore.of(List.of("*.go", "!fileutils.go")).isExcluded("fileutils.go"))
        .isFalse();
    assertThat(DockerIgnore.of(List.of("docs", "!docs/README.md")).isExcluded("docs/README.md"))
        .isFalse();
    assertThat(DockerIgnore.of(List.of("docs/*", "!docs/README.md")).isExcluded("docs/a.md"))
        .isTrue();
    assertThat(DockerIgnore.of(List.of("*.go")).isExcluded(".")).isFalse();
    assertThat(DockerIgnore.of(List.of()).isExcluded("any/path")).isFalse();
  }

  /** Go's filepath.Match table, as patternmatcher's TestMatch runs it. */
  @ParameterizedTest(name = "{0} ~ {1}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "abc|abc|true",
        "*|abc|true",
        "*c|abc|true",
        "a*|a|true",
        "a*|abc|true",
        "a*|ab/c|true",
        "a*/b|abc/b|true",
        "a*/b|a/c/b|false",
        "a*b*c*d*e*/f|axbxcxdxe/f|true",
        "a*b*c*d*e*/f|axbxcxdxexxx/f|true",
        "a*b*c*d*e*/f|axbxcxdxe/xxx/f|false",
        "a*b*c*d*e*/f|axbxcxdxexxx/fff|false",
        "a*b?c*x|abxbbxdbxebxczzx|true",
        "a*b?c*x|abxbbxdbxebxczzy|false",
        "ab[c]|abc|true",
        "ab[b-d]|abc|true",
        "ab[e-g]|abc|false",
        "ab[^c]|abc|false",
        "ab[^b-d]|abc|false",
        "ab[^e-g]|abc|true",
        "a\\*b|a*b|true",
        "a\\*b|ab|false",
        "a?b|a☺b|true",
        "a[^a]b|a☺b|true",
        "a???b|a☺b|false",
        "a[^a][^a][^a]b|a☺b|false",
        "[a-ζ]*|α|true",
        "*[a-ζ]|A|false",
        "a?b|a/b|false",
        "a*b|a/b|false",
        "[\\]a]|]|true",
        "[\\-]|-|true",
        "[x\\-]|x|true",
        "[x\\-]|-|true",
        "[x\\-]|z|false",
        "[\\-x]|x|true",
        "[\\-x]|-|true",
        "[\\-x]|a|false",
        "*x|xxx|true",
      })
  void goFilepathMatch(String pattern, String path, boolean match) {
    assertThat(DockerIgnore.of(List.of(pattern)).isExcluded(path)).isEqualTo(match);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {"[]a]", "[-]", "[x-]", "[-x]", "\\", "[a-b-c]", "[", "[^", "[^bc", "a[", "!"})
  void malformedPatternsAreRejected(String pattern) {
    String why =
        pattern.equals("!")
            ? "illegal exclusion pattern: \"!\""
            : "syntax error in pattern \"" + pattern + "\"";
    assertThatThrownBy(() -> DockerIgnore.of(List.of(pattern)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(why);
    assertThatThrownBy(() -> DockerIgnore.parse(".dockerignore", pattern + "\n"))
        .isInstanceOf(BuildException.class)
        .hasMessage("read .dockerignore: " + why)
        .extracting(e -> ((StampException) e).kind())
        .isEqualTo(StampException.Kind.BAD_INPUT);
  }

  @Test
  void fileSyntaxCommentsSlashesAndCleaning() throws Exception {
    DockerIgnore ignore =
        DockerIgnore.parse(
            ".dockerignore",
            "\uFEFFtest1\n/test2\n/a/file/here\n\nlastfile\n# this is a comment\n"
                + "! /inverted/abs/path\n  ./docs//old/../new/  \n");
    assertThat(ignore.patterns())
        .containsExactly(
            "test1", "test2", "a/file/here", "lastfile", "!inverted/abs/path", "docs/new");
    assertThat(ignore.hasExceptions()).isTrue();
    assertThatThrownBy(() -> DockerIgnore.parse("x", "!\n"))
        .hasMessage("read x: illegal exclusion pattern: \"!\"");
  }

  @Test
  void dockerfileSpecificIgnoreFileWins(@TempDir Path dir) throws Exception {
    Path ctx = Files.createDirectories(dir.resolve("ctx"));
    Path df = Files.createDirectories(dir.resolve("build")).resolve("Dockerfile.prod");
    Files.writeString(ctx.resolve(".dockerignore"), "*.log\n");
    assertThat(DockerIgnore.load(ctx, df).patterns()).containsExactly("*.log");
    Files.writeString(dir.resolve("build/Dockerfile.prod.dockerignore"), "secrets/\n");
    assertThat(DockerIgnore.load(ctx, df).patterns()).containsExactly("secrets");
    assertThat(DockerIgnore.load(dir.resolve("build"), dir.resolve("none/Dockerfile")).patterns())
        .isEmpty();
  }

  @Test
  void walkerListsIncludedEntriesAndSkipsExcludedTrees(@TempDir Path ctx) throws Exception {
    for (String f :
        List.of(
            "Dockerfile",
            "src/main.go",
            "src/main_test.go",
            "node_modules/a/index.js",
            "logs/app.log",
            "logs/keep/important.log",
            "docs/README.md",
            "docs/internal/x.md")) {
      Path p = ctx.resolve(f);
      Files.createDirectories(p.getParent());
      Files.writeString(p, f, StandardCharsets.UTF_8);
    }
    DockerIgnore ignore =
        DockerIgnore.of(
            List.of(
                "node_modules",
                "logs",
                "!logs/keep/*.log",
                "**/*_test.go",
                "docs/*",
                "!docs/README.md"));
    assertThat(ContextFiles.list(ctx, ignore))
        .containsExactly(
            "Dockerfile",
            "docs",
            "docs/README.md",
            "logs",
            "logs/keep",
            "logs/keep/important.log",
            "src",
            "src/main.go");
    assertThat(ignore.mayIncludeUnder("node_modules")).isFalse();
    assertThat(ignore.mayIncludeUnder("logs")).isTrue();
    assertThat(ignore.mayIncludeUnder("logs/other")).isFalse();
    assertThat(DockerIgnore.of(List.of("!**/keep")).mayIncludeUnder("anything/deep")).isTrue();
  }

  @Test
  void archiveFormatIsRecognisedByContent() {
    assertThat(ArchiveFormat.detect(new byte[] {0x1f, (byte) 0x8b, 8}))
        .isEqualTo(ArchiveFormat.TAR_GZIP);
    assertThat(ArchiveFormat.detect("BZh91AY".getBytes(StandardCharsets.US_ASCII)))
        .isEqualTo(ArchiveFormat.TAR_BZIP2);
    assertThat(ArchiveFormat.detect(new byte[] {(byte) 0xfd, '7', 'z', 'X', 'Z', 0}))
        .isEqualTo(ArchiveFormat.TAR_XZ);
    assertThat(ArchiveFormat.detect(new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd}))
        .isEqualTo(ArchiveFormat.TAR_ZSTD);
    byte[] tar = new byte[512];
    System.arraycopy("ustar".getBytes(StandardCharsets.US_ASCII), 0, tar, 257, 5);
    assertThat(ArchiveFormat.detect(tar)).isEqualTo(ArchiveFormat.TAR);
    assertThat(ArchiveFormat.detect("plain text".getBytes(StandardCharsets.US_ASCII)))
        .isEqualTo(ArchiveFormat.NOT_AN_ARCHIVE);
    assertThat(ArchiveFormat.detect(new byte[512])).isEqualTo(ArchiveFormat.NOT_AN_ARCHIVE);
  }
}
