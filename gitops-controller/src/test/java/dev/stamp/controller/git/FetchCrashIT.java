package dev.stamp.controller.git;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A controller killed (SIGKILL) in the middle of fetching leaves a mirror the next fetch brings up
 * to date: refs are never half-written and leftover lock files do not block it.
 */
class FetchCrashIT {

  @TempDir Path tmp;

  /** The child JVM: opens the mirror and fetches until killed. */
  public static void main(String[] args) throws Exception {
    RepoSource source = RepoSource.of("shop", args[1]);
    try (GitRepository git = GitRepository.open(Path.of(args[0]), source)) {
      System.out.println("open");
      System.out.flush();
      git.fetch();
      System.out.println("fetched");
    }
  }

  @Test
  void killedMidFetchTheNextFetchSucceeds() throws Exception {
    Upstream up = Upstream.create(tmp);
    // some megabytes of incompressible content so the fetch takes a while
    SecureRandom random = new SecureRandom();
    for (int i = 0; i < 40; i++) {
      byte[] data = new byte[256 * 1024];
      random.nextBytes(data);
      Path f = up.work.resolve("blobs/b" + i);
      Files.createDirectories(f.getParent());
      Files.write(f, data);
    }
    String tip = up.commitAll("big");
    Path mirrors = Files.createDirectories(tmp.resolve("mirrors"));

    // kill when the pack starts arriving, when its index is written (refs are next), and late
    Path pack = mirrors.resolve("shop.git/objects/pack");
    Map<String, Predicate<List<String>>> moments = new LinkedHashMap<>();
    moments.put("pack arriving", files -> !files.isEmpty());
    moments.put("pack indexed", files -> files.stream().anyMatch(f -> f.endsWith(".idx")));
    moments.put("pack kept", files -> files.stream().anyMatch(f -> f.endsWith(".keep")));
    List<String> outcomes = new ArrayList<>();
    for (Map.Entry<String, Predicate<List<String>>> moment : moments.entrySet()) {
      Process child =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-cp",
                  System.getProperty("java.class.path"),
                  FetchCrashIT.class.getName(),
                  mirrors.toString(),
                  up.fileUrl())
              .redirectErrorStream(true)
              .redirectOutput(tmp.resolve("child.log").toFile())
              .start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!Files.readString(tmp.resolve("child.log")).contains("open")
          && child.isAlive()
          && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      while (child.isAlive() && System.nanoTime() < deadline) {
        List<String> files = List.of();
        if (Files.isDirectory(pack)) {
          try (var list = Files.list(pack)) {
            files = list.map(p -> p.getFileName().toString()).toList();
          } catch (java.io.IOException e) {
            continue; // a file vanished while listing
          }
        }
        if (moment.getValue().test(files)) {
          break;
        }
      }
      child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      outcomes.add(moment.getKey() + ":");
      outcomes.add(
          Files.readString(tmp.resolve("child.log")).contains("fetched") ? "finished" : "killed");

      Path mirror = mirrors.resolve("shop.git");
      try (var left = Files.walk(mirror)) {
        outcomes.add(
            "left "
                + left.filter(Files::isRegularFile)
                    .map(p -> mirror.relativize(p).toString())
                    .filter(n -> !n.startsWith("hooks/") && !n.startsWith("info/"))
                    .sorted()
                    .toList());
      }
      String ref =
          Upstream.git(mirror, "for-each-ref", "--format=%(objectname)", "refs/heads/main");
      assertThat(ref.strip()).as("the branch is absent or complete").isIn("", tip);

      try (GitRepository git = GitRepository.open(mirrors, RepoSource.of("shop", up.fileUrl()))) {
        assertThat(git.fetch().commit()).isEqualTo(tip);
        assertThat(git.snapshot(tip).find("blobs", "b0")).containsExactly("blobs/b0");
      }
      try (var left = Files.walk(mirror)) {
        assertThat(left.map(Path::toString))
            .noneMatch(
                n -> n.endsWith(".keep") || (n.endsWith(".lock") && !n.endsWith("stamp.lock")));
      }
      assertThat(Upstream.git(mirror, "fsck", "--no-progress", "--connectivity-only").strip())
          .isEmpty();
      // start over for the next kill
      deleteTree(mirror);
    }
    System.out.println("fetches killed: " + outcomes);
  }

  private static void deleteTree(Path dir) throws Exception {
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
