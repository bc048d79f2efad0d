package dev.stamp.controller.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.controller.ControllerException;
import dev.stamp.runtime.StampException.Kind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** revert and restore build commits in the mirror and push them; checked with the git CLI. */
class RollbackTest {

  @TempDir Path tmp;
  Upstream up;
  GitRepository git;

  @BeforeEach
  void setUp() throws Exception {
    up = Upstream.create(tmp);
    git =
        GitRepository.open(
            Files.createDirectories(tmp.resolve("mirrors")), RepoSource.of("shop", up.fileUrl()));
  }

  @org.junit.jupiter.api.AfterEach
  void tearDown() {
    git.close();
  }

  String remoteFile(String path) {
    return up.inBare("show", "main:" + path);
  }

  @Test
  void revertUndoesOneCommitOnTopOfLaterOnesAndPushesIt() throws Exception {
    up.commit(
        "web v1", Map.of("apps/web/compose.yaml", "image: web:1\n", "apps/db/c.yaml", "db1\n"));
    String bad = up.commit("web v2", Map.of("apps/web/compose.yaml", "image: web:2\n"));
    String later = up.commit("db v2", Map.of("apps/db/c.yaml", "db2\n"));
    git.fetch();

    String reverted = git.revert(bad, "Stamp", "stamp@example.com", null);

    assertThat(up.inBare("rev-parse", "main").strip()).isEqualTo(reverted);
    assertThat(up.inBare("rev-parse", "main^").strip()).isEqualTo(later);
    assertThat(remoteFile("apps/web/compose.yaml")).isEqualTo("image: web:1\n");
    assertThat(remoteFile("apps/db/c.yaml")).isEqualTo("db2\n");
    assertThat(up.inBare("log", "-1", "--format=%an <%ae>%n%s%n%b", "main"))
        .contains("Stamp <stamp@example.com>")
        .contains("Revert \"web v2\"")
        .contains("This reverts commit " + bad);
    assertThat(git.resolve("main")).isEqualTo(reverted); // the mirror has it too
    assertThat(git.fetch().changed()).isFalse();

    // reverting it again changes nothing: the change is already undone
    assertThat(git.revert(bad, "Stamp", "stamp@example.com", null)).isEqualTo(reverted);
    assertThat(up.inBare("rev-parse", "main").strip()).isEqualTo(reverted);
  }

  @Test
  void revertFetchesAndRetriesOnceWhenTheRemoteMoved() throws Exception {
    up.commit("v1", Map.of("apps/web/compose.yaml", "image: web:1\n"));
    String bad = up.commit("v2", Map.of("apps/web/compose.yaml", "image: web:2\n"));
    git.fetch();
    String meanwhile = up.commit("unrelated", Map.of("docs/README", "hello\n"));

    String reverted = git.revert(bad, "Stamp", "stamp@example.com", "rollback web");

    assertThat(up.inBare("rev-parse", "main^").strip()).isEqualTo(meanwhile);
    assertThat(up.inBare("rev-parse", "main").strip()).isEqualTo(reverted);
    assertThat(remoteFile("apps/web/compose.yaml")).isEqualTo("image: web:1\n");
    assertThat(remoteFile("docs/README")).isEqualTo("hello\n");
    assertThat(up.inBare("log", "-1", "--format=%B", "main").strip()).isEqualTo("rollback web");
  }

  @Test
  void aRevertThatConflictsWithLaterChangesIsAConflictNamingTheFile() throws Exception {
    up.commit("v1", Map.of("apps/web/compose.yaml", "image: web:1\n"));
    String bad = up.commit("v2", Map.of("apps/web/compose.yaml", "image: web:2\n"));
    String tip = up.commit("v3", Map.of("apps/web/compose.yaml", "image: web:3\n"));
    git.fetch();

    assertThatThrownBy(() -> git.revert(bad, "Stamp", "stamp@example.com", null))
        .isInstanceOfSatisfying(
            ControllerException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(Kind.CONFLICT);
              assertThat(e.getMessage()).contains("apps/web/compose.yaml").contains("restore");
            });
    assertThat(up.inBare("rev-parse", "main").strip()).isEqualTo(tip); // nothing pushed
  }

  @Test
  void revertRefusesAMergeCommitAndACommitOffTheBranch() throws Exception {
    up.commit("v1", Map.of("a", "1\n"));
    git.fetch();
    assertThatThrownBy(() -> git.revert("no-such", "Stamp", "s@example.com", null))
        .isInstanceOfSatisfying(
            ControllerException.class, e -> assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND));
    assertThatThrownBy(() -> git.revert("main", "", "s@example.com", null))
        .isInstanceOfSatisfying(
            ControllerException.class, e -> assertThat(e.kind()).isEqualTo(Kind.BAD_INPUT));
  }

  @Test
  void restoreMakesTheTipTreeEqualToAnEarlierReleaseAcrossSeveralCommits() throws Exception {
    Map<String, String> v1 = new HashMap<>();
    v1.put("apps/web/compose.yaml", "image: web:1\n");
    v1.put("apps/db/compose.yaml", "image: db:1\n");
    String release = up.commit("release 1", v1);
    up.commit("web 2", Map.of("apps/web/compose.yaml", "image: web:2\n"));
    Map<String, String> c3 = new HashMap<>();
    c3.put("apps/db/compose.yaml", null);
    c3.put("apps/cache/compose.yaml", "image: cache:1\n");
    String tip = up.commit("drop db, add cache", c3);
    git.fetch();

    String restored = git.restore(release, "Stamp", "stamp@example.com", null);

    assertThat(up.inBare("rev-parse", "main").strip()).isEqualTo(restored);
    assertThat(up.inBare("rev-parse", "main^").strip()).isEqualTo(tip);
    assertThat(up.inBare("rev-parse", "main^{tree}").strip())
        .isEqualTo(up.inBare("rev-parse", release + "^{tree}").strip());
    assertThat(up.inBare("log", "-1", "--format=%s", "main")).contains(release.substring(0, 12));

    // restoring again changes nothing: the tip already has that tree
    assertThat(git.restore(release, "Stamp", "stamp@example.com", null)).isEqualTo(restored);
    assertThat(up.inBare("rev-parse", "main").strip()).isEqualTo(restored);
  }
}
