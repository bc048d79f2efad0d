package dev.stamp.controller.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.controller.ControllerException;
import dev.stamp.runtime.StampException.Kind;
import dev.stamp.testkit.TestNetworks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GitRepositoryTest {

  @TempDir Path tmp;
  Upstream up;
  Path mirrors;

  @BeforeEach
  void setUp() throws Exception {
    up = Upstream.create(tmp);
    mirrors = Files.createDirectories(tmp.resolve("mirrors"));
  }

  GitRepository open() throws ControllerException {
    return GitRepository.open(mirrors, RepoSource.of("shop", up.fileUrl()));
  }

  @Test
  void fetchReportsTheBranchTipAndWhetherItMoved() throws Exception {
    String a = up.commit("first", Map.of("apps/shop/compose.yaml", "services: {}\n"));
    try (GitRepository git = open()) {
      FetchResult first = git.fetch();
      assertThat(first.commit()).isEqualTo(a);
      assertThat(first.previous()).isNull();
      assertThat(first.changed()).isTrue();

      FetchResult again = git.fetch();
      assertThat(again)
          .extracting(FetchResult::commit, FetchResult::previous, FetchResult::changed)
          .containsExactly(a, a, false);

      String b = up.commit("second", Map.of("apps/shop/compose.yaml", "services: {web: {}}\n"));
      FetchResult moved = git.fetch();
      assertThat(moved)
          .extracting(FetchResult::commit, FetchResult::previous, FetchResult::changed)
          .containsExactly(b, a, true);
      assertThat(moved.took()).isPositive();
    }
    // a bare mirror, no working copy, HEAD on the followed branch
    Path mirror = mirrors.resolve("shop.git");
    assertThat(mirror.resolve("objects")).isDirectory();
    assertThat(mirror.resolve("apps")).doesNotExist();
    assertThat(Upstream.git(mirror, "symbolic-ref", "HEAD").strip()).isEqualTo("refs/heads/main");
  }

  @Test
  void aPlainPathWorksLikeAFileUrl() throws Exception {
    String a = up.commit("first", Map.of("a", "1"));
    try (GitRepository git =
        GitRepository.open(mirrors, RepoSource.of("plain", up.bare.toString()))) {
      assertThat(git.fetch().commit()).isEqualTo(a);
    }
  }

  @Test
  void resolvesBranchesTagsShortIdsAndExpressions() throws Exception {
    String a = up.commit("first", Map.of("a", "1"));
    String b = up.commit("second", Map.of("a", "2"));
    Upstream.git(up.work, "tag", "v1", a);
    Upstream.git(
        up.work,
        "-c",
        "user.name=Dev",
        "-c",
        "user.email=dev@example.com",
        "tag",
        "-a",
        "-m",
        "release 2",
        "v2",
        b);
    Upstream.git(up.work, "push", "-q", "origin", "--tags");
    try (GitRepository git = open()) {
      git.fetch();
      assertThat(git.resolve("main")).isEqualTo(b);
      assertThat(git.resolve("HEAD")).isEqualTo(b);
      assertThat(git.resolve("main~1")).isEqualTo(a);
      assertThat(git.resolve("HEAD~1")).isEqualTo(a);
      assertThat(git.resolve(a.substring(0, 7))).isEqualTo(a);
      assertThat(git.resolve(b)).isEqualTo(b);
      assertThat(git.resolve("v1")).isEqualTo(a);
      assertThat(git.resolve("v2")).isEqualTo(b); // annotated: peeled to its commit

      assertThatThrownBy(() -> git.resolve("no-such-release"))
          .isInstanceOfSatisfying(
              ControllerException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND);
                assertThat(e.getMessage()).contains("\"no-such-release\"").contains("shop");
              });
      assertThatThrownBy(() -> git.resolve("main^{tree}"))
          .isInstanceOfSatisfying(
              ControllerException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(Kind.BAD_INPUT);
                assertThat(e.getMessage()).contains("tree, not a commit");
              });
      assertThatThrownBy(() -> git.resolve(""))
          .isInstanceOfSatisfying(
              ControllerException.class, e -> assertThat(e.kind()).isEqualTo(Kind.BAD_INPUT));
    }
  }

  @Test
  void aBranchTheRemoteDoesNotHaveIsNotFoundNamingBranchAndUrl() throws Exception {
    up.commit("first", Map.of("a", "1"));
    try (GitRepository git =
        GitRepository.open(mirrors, RepoSource.of("shop", up.fileUrl()).withBranch("release"))) {
      assertThatThrownBy(git::fetch)
          .isInstanceOfSatisfying(
              ControllerException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND);
                assertThat(e.retryable()).isFalse();
                assertThat(e.getMessage()).contains("release").contains(up.fileUrl());
              });
    }
  }

  @Test
  void anUnreachableRepositoryIsARetryableFailureNamingTheUrl() throws Exception {
    String url = "git://127.0.0.1:" + TestNetworks.freePort() + "/shop.git";
    try (GitRepository git = GitRepository.open(mirrors, RepoSource.of("gone", url))) {
      assertThatThrownBy(git::fetch)
          .isInstanceOfSatisfying(
              ControllerException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(Kind.FAILED);
                assertThat(e.retryable()).isTrue();
                assertThat(e.getMessage()).contains(url).contains("unreachable");
              });
    }
  }

  @Test
  void aPathWithNoRepositoryIsNotFound() throws Exception {
    String url = tmp.resolve("nothing-here.git").toUri().toString();
    try (GitRepository git = GitRepository.open(mirrors, RepoSource.of("none", url))) {
      assertThatThrownBy(git::fetch)
          .isInstanceOfSatisfying(
              ControllerException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND);
                assertThat(e.getMessage()).contains(url);
              });
    }
  }

  @Test
  void logListsCommitsNewestFirst() throws Exception {
    String a = up.commit("first\n\nbody", Map.of("a", "1"));
    String b = up.commit("second", Map.of("a", "2"));
    String c = up.commit("third", Map.of("a", "3"));
    try (GitRepository git = open()) {
      git.fetch();
      List<CommitInfo> log = git.log("main", 2);
      assertThat(log).extracting(CommitInfo::id).containsExactly(c, b);
      assertThat(git.log(a, 10))
          .singleElement()
          .satisfies(
              i -> {
                assertThat(i.subject()).isEqualTo("first");
                assertThat(i.author()).isEqualTo("Dev");
                assertThat(i.email()).isEqualTo("dev@example.com");
                assertThat(i.shortId()).isEqualTo(a.substring(0, 12));
              });
      assertThatThrownBy(() -> git.log("main", 0)).isInstanceOf(ControllerException.class);
    }
  }

  @Test
  void concurrentFetchesOfOneMirrorAllSucceed() throws Exception {
    for (int i = 0; i < 5; i++) {
      up.commit("c" + i, Map.of("f" + i, "x".repeat(1000 * i)));
    }
    String tip = Upstream.git(up.bare, "rev-parse", "main").strip();
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try (GitRepository one = open();
        GitRepository two = open()) {
      List<Callable<FetchResult>> calls = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        GitRepository g = i % 2 == 0 ? one : two;
        calls.add(g::fetch);
      }
      List<Future<FetchResult>> results = pool.invokeAll(calls);
      int changed = 0;
      for (Future<FetchResult> f : results) {
        assertThat(f.get().commit()).isEqualTo(tip);
        changed += f.get().changed() ? 1 : 0;
      }
      assertThat(changed).isEqualTo(1); // exactly one fetch saw the move: they ran one at a time
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void lockFilesLeftByACrashedFetchDoNotBlockTheNextOne() throws Exception {
    String a = up.commit("first", Map.of("a", "1"));
    try (GitRepository git = open()) {
      git.fetch();
    }
    String b = up.commit("second", Map.of("a", "2"));
    // what a process killed in the middle of a fetch leaves behind
    Path mirror = mirrors.resolve("shop.git");
    Files.writeString(mirror.resolve("refs/heads/main.lock"), a + "\n");
    Files.writeString(mirror.resolve("packed-refs.lock"), "");
    Files.writeString(mirror.resolve("objects/pack/incoming_123.pack"), "PACK half");
    try (GitRepository git = open()) {
      FetchResult r = git.fetch();
      assertThat(r.previous()).isEqualTo(a);
      assertThat(r.commit()).isEqualTo(b);
    }
    assertThat(mirror.resolve("refs/heads/main.lock")).doesNotExist();
    assertThat(mirror.resolve("objects/pack/incoming_123.pack")).doesNotExist();
    assertThat(Upstream.git(mirror, "fsck", "--no-progress").strip()).isEmpty();
  }

  @Test
  void aPackMovedIntoPlaceWithoutItsIndexIsDroppedAndFetchedAgain() throws Exception {
    // the state a fetch killed between moving its pack and its index leaves (FetchCrashIT found
    // it): JGit would keep the index-less pack and fail every later fetch with IO_FAILURE
    String a = up.commit("first", Map.of("a", "1"));
    Path mirror = mirrors.resolve("shop.git");
    try (GitRepository git = open()) {
      git.fetch();
    }
    Upstream.git(mirror, "update-ref", "-d", "refs/heads/main");
    Path idx;
    try (var packs = Files.list(mirror.resolve("objects/pack"))) {
      idx = packs.filter(p -> p.toString().endsWith(".idx")).findFirst().orElseThrow();
    }
    Files.move(idx, mirror.resolve("objects/incoming_42.idx"));
    Files.writeString(mirror.resolve(idx.toString().replace(".idx", ".keep")), "jgit fetch\n");
    try (GitRepository git = open()) {
      assertThat(git.fetch().commit()).isEqualTo(a);
      assertThat(git.snapshot(a).read("a")).isPresent();
    }
    assertThat(Upstream.git(mirror, "fsck", "--no-progress").strip()).isEmpty();
  }

  @Test
  void credentialsNeverReachTheMirrorConfig() throws Exception {
    up.commit("first", Map.of("a", "1"));
    Path secret = Files.writeString(tmp.resolve("password"), "s3cret-Token-value\n");
    RepoSource source =
        RepoSource.of("shop", up.fileUrl()).withCredentials(GitCredentials.basic("bot", secret));
    try (GitRepository git = GitRepository.open(mirrors, source)) {
      git.fetch();
    }
    String config = Files.readString(mirrors.resolve("shop.git/config"));
    assertThat(config).doesNotContain("s3cret").contains(up.fileUrl());
    assertThat(source.toString()).doesNotContain("s3cret");
  }

  @Test
  void aUrlWithAPasswordIsRefused() {
    assertThatThrownBy(() -> RepoSource.of("x", "https://bot:hunter22@127.0.0.1/r.git"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("hunter22")
        .hasMessageContaining("password file");
  }
}
