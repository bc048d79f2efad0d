package dev.stamp.runtime.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The resolver against a root whose links point at the "host" (absolute), climb ({@code ../../..}),
 * chain and loop. The host is a sibling directory holding a canary: no resolution may reach it, and
 * every read returns the root's own file.
 */
class InRootTest {

  @TempDir Path tmp;
  Path root;
  Path host;
  String canary;

  @BeforeEach
  void setUp() throws IOException {
    root = Files.createDirectories(tmp.resolve("root"));
    host = Files.createDirectories(tmp.resolve("host"));
    canary = "inroot-canary-" + UUID.randomUUID();
    Files.createDirectories(host.resolve("etc"));
    Files.writeString(host.resolve("etc/shadow"), canary);
    Files.createDirectories(root.resolve("etc"));
    Files.writeString(root.resolve("etc/shadow"), "stage shadow\n");
    Files.createDirectories(root.resolve("usr/lib"));
    Files.writeString(root.resolve("usr/lib/f"), "lib f\n");
    Files.writeString(root.resolve("file"), "a file\n");
    link("e", "/etc"); // absolute: the root's /etc, never the host's
    link("hoste", host.resolve("etc").toString()); // the host's absolute path
    link("climb", "../../../../../../etc"); // climbing
    link("usr/lib/up", "../../../../../../../etc");
    link("a", "b"); // chain a -> b -> /c -> usr/lib
    link("b", "/c");
    link("c", "usr/lib");
    link("loop1", "loop2");
    link("loop2", "/loop1");
    link("self", "self");
    link("dangling", "/nowhere/f");
    link("dotdot", "usr/lib/..");
  }

  @AfterEach
  void openat2Again() {
    InRoot.useOpenat2(true);
  }

  private void link(String name, String target) throws IOException {
    Files.createSymbolicLink(root.resolve(name), Path.of(target));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "/etc/shadow, etc/shadow",
    "etc/shadow, etc/shadow",
    "/, ''",
    "/e/shadow, etc/shadow",
    "e/shadow, etc/shadow",
    "/climb/shadow, etc/shadow",
    "/usr/lib/up/shadow, etc/shadow",
    "/../../../etc/shadow, etc/shadow",
    "/a/f, usr/lib/f",
    "/a, usr/lib",
    "/dotdot/lib/f, usr/lib/f",
    "/usr/lib/../../etc/shadow, etc/shadow",
    "/c/../etc, usr/etc", // .. after a link is physical: usr/lib/.. = usr
    "/e/new/dir, etc/new/dir",
    "/missing/../etc, etc",
    "/dangling, nowhere/f",
    "/file/x, file/x",
    "/e/, etc",
  })
  void resolvesInsideTheRoot(String path, String expected) throws Exception {
    assertThat(InRoot.resolve(root, path, true)).isEqualTo(expected);
  }

  @Test
  void theHostsAbsolutePathIsAPathInsideTheRoot() throws Exception {
    String hostEtc = host.resolve("etc").toString().substring(1);
    assertThat(InRoot.resolve(root, "/hoste/shadow", true)).isEqualTo(hostEtc + "/shadow");
    assertThat(InRoot.path(root, "/hoste/shadow", true).startsWith(root)).isTrue();
  }

  @Test
  void theLastComponentIsFollowedOnlyWhenAsked() throws Exception {
    assertThat(InRoot.resolve(root, "/e", false)).isEqualTo("e");
    assertThat(InRoot.resolve(root, "/a", false)).isEqualTo("a");
    assertThat(InRoot.resolve(root, "/a/f", false)).isEqualTo("usr/lib/f");
    assertThat(InRoot.resolve(root, "/e/", false)).as("a trailing slash follows").isEqualTo("etc");
    assertThat(InRoot.resolve(root, "/self", false)).isEqualTo("self");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/loop1", "/loop1/x", "/self/x", "/e/../loop2/shadow"})
  void aLoopIsAnErrorNamingThePath(String path) {
    assertThatThrownBy(() -> InRoot.resolve(root, path, true))
        .isInstanceOf(HostRuntimeException.class)
        .hasMessageStartingWith("\"" + path + "\": more than 40 symbolic links (a loop?)")
        .extracting(e -> ((StampException) e).kind())
        .isEqualTo(StampException.Kind.BAD_INPUT);
  }

  @Test
  void fortyLinksResolveAndFortyOneDoNot() throws Exception {
    Files.createDirectories(root.resolve("chain"));
    for (int i = 0; i < 41; i++) {
      link("chain/l" + i, i == 0 ? "/usr/lib" : "l" + (i - 1));
    }
    assertThat(InRoot.resolve(root, "/chain/l39/f", true)).isEqualTo("usr/lib/f");
    assertThatThrownBy(() -> InRoot.resolve(root, "/chain/l40/f", true))
        .hasMessageContaining("more than 40 symbolic links");
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void openReadsTheRootsOwnFileWithOrWithoutOpenat2(boolean openat2) throws Exception {
    InRoot.useOpenat2(openat2);
    for (String p : new String[] {"/e/shadow", "/climb/shadow", "/usr/lib/up/shadow"}) {
      assertThat(InRoot.readString(root, p)).as(p).isEqualTo("stage shadow\n");
    }
    assertThat(InRoot.readString(root, "/a/f")).isEqualTo("lib f\n");
    assertThatThrownBy(() -> InRoot.readString(root, "/hoste/shadow"))
        .as("the host's absolute path names nothing inside the root")
        .isInstanceOf(NoSuchFileException.class);
    assertThatThrownBy(() -> InRoot.readString(root, "/loop1"))
        .hasMessageContaining("/loop1")
        .hasMessageContaining("a loop?");
    assertThatThrownBy(() -> InRoot.readString(root, "/e"))
        .hasMessageContaining("not a regular file");
    assertThatThrownBy(() -> InRoot.readString(root, "/dangling"))
        .isInstanceOf(NoSuchFileException.class);
    assertThat(InRoot.usesOpenat2()).as("this kernel (5.6+) has openat2").isEqualTo(openat2);
  }

  @Test
  void theWalkNeverReadsTheHostsCanary() throws Exception {
    Files.createSymbolicLink(root.resolve("hostshadow"), host.resolve("etc/shadow"));
    InRoot.useOpenat2(false);
    assertThatThrownBy(() -> InRoot.readString(root, "/hostshadow"))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageNotContaining(canary);
    InRoot.useOpenat2(true);
    assertThatThrownBy(() -> InRoot.readString(root, "/hostshadow"))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageNotContaining(canary);
  }
}
