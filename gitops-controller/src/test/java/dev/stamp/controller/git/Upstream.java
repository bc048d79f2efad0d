package dev.stamp.controller.git;

import dev.stamp.testkit.HostCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A repository the controller follows, made with the git CLI: a bare {@code upstream.git} (what the
 * controller fetches from and pushes to) and a working clone {@code work} where the test commits
 * and pushes, as a developer would.
 */
final class Upstream {

  final Path bare;
  final Path work;

  private Upstream(Path bare, Path work) {
    this.bare = bare;
    this.work = work;
  }

  static Upstream create(Path dir) {
    Path bare = dir.resolve("upstream.git");
    Path work = dir.resolve("work");
    git(dir, "init", "-q", "--bare", "-b", "main", bare.toString());
    git(dir, "init", "-q", "-b", "main", work.toString());
    git(work, "remote", "add", "origin", bare.toString());
    return new Upstream(bare, work);
  }

  /** The bare repository's URL as {@code file://}. */
  String fileUrl() {
    return bare.toUri().toString();
  }

  /** Writes {@code files} (path → content; null deletes), commits and pushes main; the new id. */
  String commit(String message, Map<String, String> files) {
    try {
      for (Map.Entry<String, String> f : files.entrySet()) {
        Path p = work.resolve(f.getKey());
        if (f.getValue() == null) {
          Files.deleteIfExists(p);
        } else {
          Files.createDirectories(p.getParent());
          Files.writeString(p, f.getValue(), StandardCharsets.UTF_8);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return commitAll(message);
  }

  /** Commits whatever the work tree holds (after a test changed it directly) and pushes main. */
  String commitAll(String message) {
    git(work, "add", "-A");
    git(
        work,
        "-c",
        "user.name=Dev",
        "-c",
        "user.email=dev@example.com",
        "-c",
        "commit.gpgsign=false",
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        message);
    git(work, "push", "-q", "origin", "HEAD:main");
    return git(work, "rev-parse", "HEAD").strip();
  }

  /** Runs git in the bare upstream repository. */
  String inBare(String... args) {
    return git(bare, args);
  }

  static String git(Path dir, String... args) {
    List<String> argv = new ArrayList<>(List.of("git", "-C", dir.toString()));
    argv.addAll(List.of(args));
    return HostCommand.run(Duration.ofSeconds(60), null, argv).ok();
  }
}
