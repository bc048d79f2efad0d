package dev.stamp.controller.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.controller.ControllerException;
import dev.stamp.runtime.StampException.Kind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TreeSnapshotTest {

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

  @AfterEach
  void tearDown() {
    git.close();
  }

  @Test
  void readsFilesFindsThemAndGivesTreeAndBlobIds() throws Exception {
    Map<String, String> files = new HashMap<>();
    files.put("apps/shop/compose.yaml", "services: {web: {}}\n");
    files.put("apps/shop/web/Dockerfile", "FROM scratch\n");
    files.put("apps/blog/compose.yaml", "services: {}\n");
    files.put("apps/blog/nested/compose.yaml", "services: {}\n");
    files.put("compose.yaml", "top\n");
    files.put("apps/compose.yaml.bak", "no\n");
    String c = up.commit("apps", files);
    git.fetch();
    TreeSnapshot s = git.snapshot("main");

    assertThat(s.commit().id()).isEqualTo(c);
    assertThat(s.read("apps/shop/compose.yaml"))
        .map(b -> new String(b, StandardCharsets.UTF_8))
        .contains("services: {web: {}}\n");
    assertThat(s.read("./apps//shop/compose.yaml/")).isPresent(); // normalised
    assertThat(s.read("apps/shop")).isEmpty(); // a directory is not a file
    assertThat(s.read("apps/none.yaml")).isEmpty();

    assertThat(s.find("apps", "compose.yaml"))
        .containsExactly(
            "apps/blog/compose.yaml", "apps/blog/nested/compose.yaml", "apps/shop/compose.yaml");
    assertThat(s.find("", "compose.yaml")).hasSize(4).contains("compose.yaml");
    assertThat(s.find("missing", "compose.yaml")).isEmpty();

    assertThat(s.treeId("apps/shop")).contains(up.inBare("rev-parse", c + ":apps/shop").strip());
    assertThat(s.treeId("")).contains(up.inBare("rev-parse", c + "^{tree}").strip());
    assertThat(s.treeId("apps/shop/compose.yaml")).isEmpty();
    assertThat(s.blobId("apps/shop/web/Dockerfile"))
        .contains(up.inBare("rev-parse", c + ":apps/shop/web/Dockerfile").strip());
    assertThat(s.blobId("apps/shop")).isEmpty();
  }

  @Test
  void pathsLeavingTheRepositoryAreBadInput() throws Exception {
    up.commit("a", Map.of("apps/a", "1"));
    git.fetch();
    TreeSnapshot s = git.snapshot("main");
    for (String bad : List.of("../etc/passwd", "apps/../../x", "/etc/passwd", "a\\..\\b")) {
      assertThatThrownBy(() -> s.read(bad))
          .as(bad)
          .isInstanceOfSatisfying(
              ControllerException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(Kind.BAD_INPUT);
                assertThat(e.getMessage()).contains("shop@");
              });
      assertThatThrownBy(() -> s.treeId(bad)).isInstanceOf(ControllerException.class);
      assertThatThrownBy(() -> s.find(bad, "compose.yaml")).isInstanceOf(ControllerException.class);
      assertThatThrownBy(() -> s.export(bad, Files.createTempDirectory(tmp, "t")))
          .isInstanceOf(ControllerException.class);
    }
    assertThatThrownBy(() -> s.find("apps", "../compose.yaml"))
        .isInstanceOfSatisfying(
            ControllerException.class, e -> assertThat(e.kind()).isEqualTo(Kind.BAD_INPUT));
  }

  @Test
  void exportWritesSymlinksAsSymlinksAndNothingOutsideTheTarget() throws Exception {
    Path w = up.work.resolve("apps/web");
    Files.createDirectories(w.resolve("bin"));
    Files.writeString(w.resolve("Dockerfile"), "FROM scratch\n");
    Files.writeString(w.resolve("bin/start.sh"), "#!/bin/sh\n");
    Files.setPosixFilePermissions(
        w.resolve("bin/start.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.createSymbolicLink(w.resolve("up"), Path.of(".."));
    Files.createSymbolicLink(w.resolve("etc"), Path.of("/etc"));
    Files.createSymbolicLink(w.resolve("bin/sh"), Path.of("start.sh"));
    Files.writeString(w.resolve("zz-after-links.txt"), "beside\n");
    up.commitAll("links");
    git.fetch();
    TreeSnapshot s = git.snapshot("main");

    Path box = Files.createDirectories(tmp.resolve("box"));
    Path target = Files.createDirectories(box.resolve("ctx"));
    s.export("apps/web", target);

    assertThat(Files.isSymbolicLink(target.resolve("up"))).isTrue();
    assertThat(Files.readSymbolicLink(target.resolve("up"))).isEqualTo(Path.of(".."));
    assertThat(Files.readSymbolicLink(target.resolve("etc"))).isEqualTo(Path.of("/etc"));
    assertThat(Files.readSymbolicLink(target.resolve("bin/sh"))).isEqualTo(Path.of("start.sh"));
    assertThat(target.resolve("Dockerfile")).hasContent("FROM scratch");
    assertThat(target.resolve("zz-after-links.txt")).hasContent("beside");
    assertThat(
            Files.getPosixFilePermissions(
                target.resolve("bin/start.sh"), LinkOption.NOFOLLOW_LINKS))
        .isEqualTo(PosixFilePermissions.fromString("rwxr-xr-x"));
    assertThat(
            Files.getPosixFilePermissions(target.resolve("Dockerfile"), LinkOption.NOFOLLOW_LINKS))
        .isEqualTo(PosixFilePermissions.fromString("rw-r--r--"));
    // nothing beside the target, nothing written through the links
    try (Stream<Path> all = Files.list(box)) {
      assertThat(all.toList()).containsExactly(target);
    }
    try (Stream<Path> all = Files.walk(target)) {
      assertThat(all.map(p -> target.relativize(p).toString()).sorted().toList())
          .containsExactly(
              "", "Dockerfile", "bin", "bin/sh", "bin/start.sh", "etc", "up", "zz-after-links.txt");
    }
  }

  @Test
  void exportRefusesATreeThatWritesThroughItsOwnSymlink() throws Exception {
    // a hand-made tree: "link" is a symlink to the outside and also a directory holding "evil"
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    String blob = hashObject("pwned\n");
    String link = hashObject(outside.toString());
    String sub = mktree("100644 blob " + blob + "\tevil\n");
    String root = mktree("120000 blob " + link + "\tlink\n040000 tree " + sub + "\tlink\n");
    String commit =
        Upstream.git(
                up.bare,
                "-c",
                "user.name=X",
                "-c",
                "user.email=x@example.com",
                "commit-tree",
                root,
                "-m",
                "evil")
            .strip();
    up.inBare("update-ref", "refs/heads/main", commit);
    git.fetch();
    Path target = Files.createDirectories(tmp.resolve("ctx"));

    assertThatThrownBy(() -> git.snapshot("main").export("", target))
        .isInstanceOf(ControllerException.class)
        .hasMessageContaining("\"link");
    assertThat(outside.resolve("evil")).doesNotExist();
    try (Stream<Path> all = Files.list(outside)) {
      assertThat(all.toList()).isEmpty();
    }
  }

  @Test
  void exportNeedsAnEmptyTargetAndAnExistingDirectory() throws Exception {
    up.commit("a", Map.of("apps/a/f", "1"));
    git.fetch();
    TreeSnapshot s = git.snapshot("main");
    Path full = Files.createDirectories(tmp.resolve("full"));
    Files.writeString(full.resolve("x"), "");
    assertThatThrownBy(() -> s.export("apps/a", full))
        .isInstanceOfSatisfying(
            ControllerException.class, e -> assertThat(e.kind()).isEqualTo(Kind.BAD_INPUT));
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    assertThatThrownBy(() -> s.export("apps/none", empty))
        .isInstanceOfSatisfying(
            ControllerException.class, e -> assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND));
  }

  @Test
  void hundredAppsComposeFilesAndTreeIdsInMilliseconds() throws Exception {
    for (int i = 0; i < 100; i++) {
      Path app = up.work.resolve("apps/app" + i);
      Files.createDirectories(app.resolve("src"));
      Files.writeString(app.resolve("compose.yaml"), "services:\n  web" + i + ":\n    build: .\n");
      Files.writeString(app.resolve("Dockerfile"), "FROM scratch\nCOPY src /src\n");
      for (int f = 0; f < 10; f++) {
        Files.writeString(app.resolve("src/f" + f + ".txt"), "app " + i + " file " + f + "\n");
      }
    }
    up.commitAll("100 apps");
    git.fetch();
    String commit = git.resolve("main");

    long best = Long.MAX_VALUE;
    for (int round = 0; round < 20; round++) {
      long t0 = System.nanoTime();
      TreeSnapshot s = git.snapshot(commit);
      List<String> composeFiles = s.find("apps", "compose.yaml");
      List<String> ids = new ArrayList<>();
      int bytes = 0;
      for (String f : composeFiles) {
        bytes += s.read(f).orElseThrow().length;
        ids.add(s.treeId(f.substring(0, f.lastIndexOf('/'))).orElseThrow());
      }
      long took = System.nanoTime() - t0;
      best = Math.min(best, took);
      assertThat(composeFiles).hasSize(100);
      assertThat(ids).doesNotHaveDuplicates();
      assertThat(bytes).isPositive();
    }
    System.out.printf(
        "snapshot + find + read 100 compose files + 100 tree ids: best of 20 %.2f ms%n",
        best / 1e6);
    assertThat(best / 1e6).isLessThan(200);
  }

  private String hashObject(String content) throws Exception {
    Path f = Files.writeString(tmp.resolve("obj-" + System.nanoTime()), content);
    return up.inBare("hash-object", "-w", f.toString()).strip();
  }

  private String mktree(String listing) {
    return dev.stamp.testkit.HostCommand.run(
            java.time.Duration.ofSeconds(30),
            listing,
            List.of("git", "-C", up.bare.toString(), "mktree", "--missing"))
        .ok()
        .strip();
  }
}
