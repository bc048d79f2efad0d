package dev.stamp.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A GitOps repository for a test, made and changed with the git CLI: a bare repository {@code
 * NAME.git} (branch {@code main}) and a working clone {@code work} beside it, as a developer has.
 * {@link #write} a file, {@link #commit} everything, {@link #push} it; {@link #revert} the last
 * commit. {@link #await} waits for what the controller does next, failing with a message that says
 * what never came.
 *
 * <pre>{@code
 * GitOpsRepo repo = GitOpsRepo.create(tmp, "shop");
 * repo.write("shop/compose.yaml", yaml).commit("shop: first release");
 * String head = repo.push();
 * GitOpsRepo.await(() -> deployed(head), "release of " + head);
 * }</pre>
 */
public final class GitOpsRepo {

  /** Something to wait for; an exception or assertion error counts as "not yet". */
  @FunctionalInterface
  public interface Check {
    boolean ok() throws Exception;
  }

  /** How long {@link #await(Check, String)} waits. */
  public static final Duration PATIENCE = Duration.ofSeconds(120);

  private final Path bare;
  private final Path work;

  private GitOpsRepo(Path bare, Path work) {
    this.bare = bare;
    this.work = work;
  }

  /** {@code dir/NAME.git} (bare, branch main) and its clone {@code dir/work}. */
  public static GitOpsRepo create(Path dir, String name) {
    Path bare = dir.resolve(name + ".git");
    Path work = dir.resolve("work");
    git(dir, "init", "-q", "--bare", "-b", "main", bare.toString());
    git(dir, "clone", "-q", bare.toString(), work.toString());
    return new GitOpsRepo(bare, work);
  }

  /** The bare repository (what a controller watches). */
  public Path bare() {
    return bare;
  }

  /** The bare repository's {@code file://} URL. */
  public URI url() {
    return bare.toUri();
  }

  /** The working clone. */
  public Path work() {
    return work;
  }

  /** Writes {@code text} to {@code path} (relative to the clone), creating its directories. */
  public GitOpsRepo write(String path, String text) {
    try {
      Path p = work.resolve(path);
      Files.createDirectories(p.getParent());
      Files.writeString(p, text);
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException("write " + path + " in " + work, e);
    }
  }

  /** Commits every change in the clone (not pushed); returns the new head. */
  public String commit(String message) {
    git("add", "-A");
    author("commit", "-q", "-m", message);
    return head();
  }

  /** Pushes {@code main} to the bare repository; returns the head pushed. */
  public String push() {
    git("push", "-q", "origin", "main");
    return head();
  }

  /** {@code git revert} of the last commit (not pushed); returns the new head. */
  public String revert() {
    author("revert", "--no-edit", "HEAD");
    return head();
  }

  /** Takes what others pushed (a controller's rollback commit) into the clone. */
  public GitOpsRepo pull() {
    git("pull", "-q", "--rebase", "origin", "main");
    return this;
  }

  /** The clone's {@code HEAD} commit id. */
  public String head() {
    return git("rev-parse", "HEAD");
  }

  /** {@code git -C work ARGS…}: its output, stripped; a non-zero exit fails the test. */
  public String git(String... args) {
    return git(work, args);
  }

  private void author(String... args) {
    List<String> argv =
        new ArrayList<>(List.of("-c", "user.name=dev", "-c", "user.email=dev@example.com"));
    argv.addAll(List.of(args));
    git(argv.toArray(String[]::new));
  }

  /** {@code git -C dir ARGS…}: its output, stripped; a non-zero exit fails the test. */
  public static String git(Path dir, String... args) {
    List<String> argv = new ArrayList<>(List.of("git", "-C", dir.toString()));
    argv.addAll(List.of(args));
    return HostCommand.run(Duration.ofSeconds(60), null, argv).ok().strip();
  }

  /** Waits until {@code check} holds, at most {@link #PATIENCE}. */
  public static void await(Check check, String what) throws InterruptedException {
    await(check, what, PATIENCE);
  }

  /**
   * Waits until {@code check} holds, polling every 200 ms; after {@code patience} fails with {@code
   * what} never came, and the last exception or assertion the check threw as the cause.
   */
  public static void await(Check check, String what, Duration patience)
      throws InterruptedException {
    long deadline = System.nanoTime() + patience.toNanos();
    Throwable last = null;
    while (System.nanoTime() < deadline) {
      try {
        if (check.ok()) {
          return;
        }
      } catch (Exception | AssertionError e) {
        last = e;
      }
      Thread.sleep(200);
    }
    throw new AssertionError(what + ": not reached in " + patience.toSeconds() + " s", last);
  }
}
