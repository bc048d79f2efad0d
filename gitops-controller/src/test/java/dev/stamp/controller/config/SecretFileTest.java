package dev.stamp.controller.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.controller.ControllerException;
import dev.stamp.runtime.StampException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretFileTest {

  @TempDir Path dir;

  static Path write(Path file, String content, String mode) throws Exception {
    Files.createDirectories(file.getParent());
    Files.writeString(file, content, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
    return file;
  }

  @Test
  void readsTheSecretWithoutOneTrailingNewline() throws Exception {
    assertThat(new SecretFile(write(dir.resolve("a"), "s3cret\n", "rw-------")).read())
        .isEqualTo("s3cret");
    assertThat(new SecretFile(write(dir.resolve("b"), "s3cret", "r--------")).read())
        .isEqualTo("s3cret");
    assertThat(new SecretFile(write(dir.resolve("c"), "s3cret\r\n", "rw-------")).read())
        .isEqualTo("s3cret");
    assertThat(new SecretFile(write(dir.resolve("d"), "line1\nline2\n\n", "rw-------")).read())
        .isEqualTo("line1\nline2\n");
    assertThat(new SecretFile(write(dir.resolve("e"), " spaced \n", "rw-------")).read())
        .isEqualTo(" spaced ");
  }

  @Test
  void refusesAFileGroupOrOthersMayRead() throws Exception {
    for (String mode : new String[] {"rw-r--r--", "rw-r-----", "rw----r--", "rw--w----"}) {
      Path file = write(dir.resolve(mode), "s3cret\n", mode);
      assertThatThrownBy(() -> new SecretFile(file).read())
          .as(mode)
          .isInstanceOfSatisfying(
              ControllerException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(StampException.Kind.BAD_INPUT);
                assertThat(e.retryable()).isFalse();
                assertThat(e.getMessage())
                    .isEqualTo(
                        "reading secret file "
                            + file
                            + ": group or others may access it (mode "
                            + mode
                            + "); run chmod 600 "
                            + file)
                    .doesNotContain("s3cret");
              });
    }
  }

  @Test
  void refusesAMissingFileNamingIt() {
    Path file = dir.resolve("missing/token");
    assertThatThrownBy(() -> new SecretFile(file).read())
        .isInstanceOfSatisfying(
            ControllerException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(StampException.Kind.BAD_INPUT);
              assertThat(e.getMessage())
                  .isEqualTo(
                      "reading secret file "
                          + file
                          + ": no such file; create it (mode 600) or fix the path");
            });
  }

  @Test
  void refusesAnEmptyFileADirectoryAndBinary() throws Exception {
    Path empty = write(dir.resolve("empty"), "\n", "rw-------");
    assertThatThrownBy(() -> new SecretFile(empty).read())
        .isInstanceOf(ControllerException.class)
        .hasMessage("reading secret file " + empty + ": the file is empty");
    assertThatThrownBy(() -> new SecretFile(dir).read())
        .isInstanceOf(ControllerException.class)
        .hasMessage("reading secret file " + dir + ": not a regular file");
    Path binary = dir.resolve("bin");
    Files.write(binary, new byte[] {(byte) 0xc3, 0x28});
    Files.setPosixFilePermissions(binary, PosixFilePermissions.fromString("rw-------"));
    assertThatThrownBy(() -> new SecretFile(binary).read())
        .isInstanceOf(ControllerException.class)
        .hasMessage("reading secret file " + binary + ": not UTF-8 text");
  }

  @Test
  void refusesAFileTooLargeToBeASecret() throws Exception {
    Path big = write(dir.resolve("big"), "x".repeat(64 * 1024 + 1), "rw-------");
    assertThatThrownBy(() -> new SecretFile(big).read())
        .isInstanceOf(ControllerException.class)
        .hasMessage(
            "reading secret file "
                + big
                + ": larger than 64 KiB, which is no token, password or key");
  }

  @Test
  void followsASymlinkAndChecksItsTarget() throws Exception {
    Path target = write(dir.resolve("real"), "s3cret\n", "rw-r--r--");
    Path link = Files.createSymbolicLink(dir.resolve("link"), target);
    assertThatThrownBy(() -> new SecretFile(link).read())
        .hasMessageContaining("group or others may access it");
    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-------"));
    assertThat(new SecretFile(link).read()).isEqualTo("s3cret");
  }

  @Test
  void toStringNamesTheFileNeverTheSecret() throws Exception {
    Path file = write(dir.resolve("token"), "s3cret\n", "rw-------");
    SecretFile s = new SecretFile(file);
    s.read();
    assertThat(s.toString()).isEqualTo("SecretFile[" + file + "]").doesNotContain("s3cret");
    assertThat(
            new HostConfig(
                    "h",
                    java.net.URI.create("https://h:1"),
                    s,
                    null,
                    null,
                    null,
                    java.util.Map.of())
                .toString())
        .doesNotContain("s3cret");
  }

  @Test
  void pathsAreMadeAbsolute() {
    assertThat(new SecretFile(Path.of("a/../b")).path())
        .isEqualTo(Path.of("").toAbsolutePath().resolve("b"));
  }

  @Test
  void createIfAbsentWritesARandomOwnerOnlySecretOnce() throws Exception {
    SecretFile s = new SecretFile(dir.resolve("controller/api-token"));

    assertThat(s.createIfAbsent()).isTrue();
    String first = s.read();
    assertThat(first).matches("[0-9a-f]{64}");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(s.path())))
        .isEqualTo("rw-------");

    assertThat(s.createIfAbsent()).isFalse();
    assertThat(s.read()).isEqualTo(first);
    assertThat(new SecretFile(dir.resolve("other")).createIfAbsent()).isTrue();
    assertThat(new SecretFile(dir.resolve("other")).read()).isNotEqualTo(first);
  }
}
