package dev.stamp.controller.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.controller.ControllerException;
import dev.stamp.runtime.StampException.Kind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RepoSourceTest {

  @TempDir Path tmp;

  @Test
  void branchDefaultsToMainAndCredentialsToNone() {
    RepoSource s = new RepoSource("shop", "https://127.0.0.1/org/shop.git", null, null);
    assertThat(s.branch()).isEqualTo("main");
    assertThat(s.ref()).isEqualTo("refs/heads/main");
    assertThat(s.credentials()).isEqualTo(GitCredentials.none());
  }

  @Test
  void namesThatCouldLeaveTheMirrorsDirectoryAreRefused() {
    for (String bad : new String[] {"", "..", "../x", "a/b", ".hidden", "x.lock", "a b"}) {
      assertThatThrownBy(() -> RepoSource.of(bad, "/srv/git/shop.git"))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("repository name");
    }
  }

  @Test
  void badBranchNamesAndPasswordsInUrlsAreRefused() {
    assertThatThrownBy(() -> RepoSource.of("shop", "/srv/shop.git").withBranch("a..b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a..b");
    assertThatThrownBy(() -> RepoSource.of("shop", "ssh://git:pw-value@127.0.0.1/shop.git"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("pw-value");
    // a user name alone is fine
    assertThat(RepoSource.of("shop", "ssh://git@127.0.0.1:2222/shop.git").url())
        .isEqualTo("ssh://git@127.0.0.1:2222/shop.git");
  }

  @Test
  void thePasswordIsReadFromItsFileWithoutTheTrailingNewline() throws Exception {
    Path f = Files.writeString(tmp.resolve("token"), "abc123\n");
    GitCredentials c = GitCredentials.token(f);
    assertThat(new String(c.readPassword())).isEqualTo("abc123");
    assertThat(c.httpUser()).isEqualTo(GitCredentials.TOKEN_USER);
    assertThat(c.toString()).doesNotContain("abc123");

    Files.writeString(f, "\n");
    assertThatThrownBy(c::readPassword)
        .isInstanceOfSatisfying(
            ControllerException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(Kind.BAD_INPUT);
              assertThat(e.getMessage()).contains(f.toString()).contains("empty");
            });
    GitCredentials missing = GitCredentials.basic("bot", tmp.resolve("nope"));
    assertThatThrownBy(missing::readPassword)
        .isInstanceOfSatisfying(
            ControllerException.class,
            e -> assertThat(e.getMessage()).contains(tmp.resolve("nope").toString()));
  }

  @Test
  void anSshKeyNeedsAKnownHostsFile() {
    assertThatThrownBy(
            () ->
                new GitCredentials(
                    Optional.empty(),
                    Optional.empty(),
                    Optional.of(tmp.resolve("id")),
                    Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("known_hosts");
  }
}
