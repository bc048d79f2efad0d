package dev.stamp.controller.git;

import dev.stamp.controller.ControllerException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.api.errors.JGitInternalException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.TagOpt;
import org.eclipse.jgit.transport.TrackingRefUpdate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One repository the controller follows, kept as a bare mirror ({@code <mirrorsRoot>/<name>.git}:
 * every branch and tag, no working copy). {@link #fetch()} brings it up to date, {@link
 * #snapshot(String)} reads a commit's tree from the object database, and {@link #revert} and {@link
 * #restore} make a rollback commit in the object database and push it to the branch.
 *
 * <p>Writers (fetch, revert, restore) hold the mirror's lock ({@link MirrorLock}); readers do not
 * need it, since objects never change and refs are replaced atomically. Credentials are read from
 * their files for each operation and handed to JGit as a provider: never written to the mirror's
 * config, a log line or a message.
 */
public final class GitRepository implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(GitRepository.class);

  /** Seconds a network read may stall before the operation fails (retryable). */
  static final int TIMEOUT_SECONDS = 60;

  private static final RefSpec HEADS = new RefSpec("+refs/heads/*:refs/heads/*");
  private static final RefSpec TAGS = new RefSpec("+refs/tags/*:refs/tags/*");

  private final RepoSource source;
  private final Path dir;
  private final Repository repo;
  private final Remote remote;
  private final MirrorLock lock;
  private final Revisions revisions;
  private final Rollbacks rollbacks;

  private GitRepository(RepoSource source, Path dir, Repository repo) {
    this.source = source;
    this.dir = dir;
    this.repo = repo;
    this.remote = new Remote(source, dir);
    this.lock = new MirrorLock(dir);
    this.revisions = new Revisions(repo, source.name() + " (" + source.url() + ")");
    this.rollbacks = new Rollbacks(repo, revisions, source.branch(), source.url());
  }

  /**
   * Opens the mirror of {@code source} under {@code mirrorDir} ({@code <mirrorDir>/<name>.git}),
   * creating an empty bare repository when there is none. Nothing is fetched yet.
   */
  public static GitRepository open(Path mirrorDir, RepoSource source) throws ControllerException {
    Path dir = mirrorDir.resolve(source.name() + ".git").toAbsolutePath().normalize();
    String what = "open the mirror of " + source.name() + " (" + source.url() + ") at " + dir;
    Repository repo;
    try {
      Files.createDirectories(dir);
      repo = new FileRepositoryBuilder().setGitDir(dir.toFile()).setBare().build();
      if (!repo.getObjectDatabase().exists()) {
        repo.create(true);
      }
    } catch (IOException | IllegalStateException e) {
      throw ControllerException.failed(what + ": " + e.getMessage(), e);
    }
    GitRepository g = new GitRepository(source, dir, repo);
    try {
      g.lock.with(
          what,
          () -> {
            g.configure(what);
            g.removeStaleLocks();
            return null;
          });
    } catch (ControllerException e) {
      g.close();
      throw e;
    }
    return g;
  }

  /** What this mirror follows. */
  public RepoSource source() {
    return source;
  }

  /** The mirror's directory. */
  public Path directory() {
    return dir;
  }

  /**
   * Fetches every branch and tag from the remote and reports where the followed branch is now.
   * Unreachable: retryable FAILED naming the URL; refused credentials: FAILED, not retryable; the
   * branch missing on the remote: NOT_FOUND naming branch and URL.
   */
  public FetchResult fetch() throws ControllerException {
    return lock.with("fetch " + source.branch() + " from " + source.url(), this::fetchLocked);
  }

  private FetchResult fetchLocked() throws ControllerException {
    long start = System.nanoTime();
    removeStaleLocks();
    String previous = branchTip();
    try (Remote.Secret secret = remote.secret()) {
      org.eclipse.jgit.transport.FetchResult result;
      try {
        result =
            Git.wrap(repo)
                .fetch()
                .setRemote(source.url())
                .setRefSpecs(HEADS, TAGS)
                .setTagOpt(TagOpt.NO_TAGS)
                .setRemoveDeletedRefs(true)
                .setCredentialsProvider(secret.provider())
                .setTransportConfigCallback(t -> remote.configure(t, TIMEOUT_SECONDS))
                .call();
      } catch (GitAPIException | JGitInternalException e) {
        throw remote.classify("fetch " + source.branch() + " from", e, secret);
      }
      if (result.getAdvertisedRef(source.ref()) == null) {
        throw ControllerException.notFound(
            "fetch: branch " + source.branch() + " does not exist in " + source.url());
      }
      for (TrackingRefUpdate u : result.getTrackingRefUpdates()) {
        switch (u.getResult()) {
          case LOCK_FAILURE,
                  IO_FAILURE,
                  REJECTED,
                  REJECTED_CURRENT_BRANCH,
                  REJECTED_MISSING_OBJECT,
                  REJECTED_OTHER_REASON ->
              throw ControllerException.unavailable(
                  "fetch "
                      + source.url()
                      + ": updating "
                      + u.getLocalName()
                      + " failed: "
                      + u.getResult(),
                  null);
          default -> {}
        }
      }
    }
    String now = branchTip();
    if (now == null) {
      throw ControllerException.notFound(
          "fetch: branch " + source.branch() + " does not exist in " + source.url());
    }
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    FetchResult r = FetchResult.of(now, previous, took);
    if (r.changed()) {
      LOG.info(
          "fetched {} {}: {} -> {} in {} ms",
          source.name(),
          source.branch(),
          previous == null ? "(none)" : previous.substring(0, 12),
          now.substring(0, 12),
          took.toMillis());
    } else {
      LOG.debug(
          "fetched {} {}: unchanged in {} ms", source.name(), source.branch(), took.toMillis());
    }
    return r;
  }

  /**
   * The full commit id {@code rev} names in the mirror: a branch, a tag, a short or full id, or an
   * expression such as {@code main~1}. An unknown rev is NOT_FOUND naming it; an ambiguous short
   * id, bad syntax or a rev naming a tree or blob is BAD_INPUT.
   */
  public String resolve(String rev) throws ControllerException {
    try (RevWalk walk = new RevWalk(repo)) {
      return revisions.commit(walk, rev).name();
    }
  }

  /** The tree of {@code commit} (any rev {@link #resolve} takes), read without a checkout. */
  public TreeSnapshot snapshot(String commit) throws ControllerException {
    try (RevWalk walk = new RevWalk(repo)) {
      RevCommit c = revisions.commit(walk, commit);
      return new GitTreeSnapshot(repo, Revisions.info(c), c.getTree().copy(), source.name());
    }
  }

  /** Up to {@code max} commits reachable from {@code from}, newest first. */
  public List<CommitInfo> log(String from, int max) throws ControllerException {
    if (max < 1) {
      throw ControllerException.badInput(
          "log " + source.name() + ": max must be at least 1, got " + max);
    }
    try (RevWalk walk = new RevWalk(repo)) {
      walk.markStart(revisions.commit(walk, from));
      List<CommitInfo> out = new ArrayList<>();
      for (RevCommit c : walk) {
        out.add(Revisions.info(c));
        if (out.size() == max) {
          break;
        }
      }
      return List.copyOf(out);
    } catch (IOException e) {
      throw ControllerException.failed(
          "log " + source.name() + " from " + from + ": " + e.getMessage(), e);
    }
  }

  /**
   * Pushes a commit that reverts {@code commit} (a non-merge commit on the branch) on top of the
   * branch tip and returns its id; the tip itself when the change is already undone. The remote
   * moving meanwhile is fetched and tried once more, then CONFLICT; a revert that conflicts with
   * later changes is CONFLICT naming the files. {@code message} may be null for git's usual one.
   */
  public String revert(String commit, String authorName, String authorEmail, String message)
      throws ControllerException {
    PersonIdent who = Rollbacks.person("revert " + commit, authorName, authorEmail);
    return lock.with(
        "revert " + commit + " on " + source.branch() + " of " + source.url(),
        () ->
            pushWithRetry("revert " + commit, tip -> rollbacks.revert(tip, commit, who, message)));
  }

  /**
   * Pushes a commit on top of the branch tip whose tree is {@code targetCommit}'s tree (a commit on
   * the branch): a rollback to that release across any number of later commits. Returns the new
   * commit's id, or the tip when its tree already is the target's.
   */
  public String restore(String targetCommit, String authorName, String authorEmail, String message)
      throws ControllerException {
    PersonIdent who = Rollbacks.person("restore " + targetCommit, authorName, authorEmail);
    return lock.with(
        "restore " + targetCommit + " on " + source.branch() + " of " + source.url(),
        () ->
            pushWithRetry(
                "restore " + targetCommit,
                tip -> rollbacks.restore(tip, targetCommit, who, message)));
  }

  private interface CommitMaker {
    /** The new commit on {@code tip}, or {@code tip} itself when there is nothing to commit. */
    ObjectId make(RevCommit tip) throws ControllerException, IOException;
  }

  private String pushWithRetry(String action, CommitMaker maker) throws ControllerException {
    String what = action + " on " + source.branch() + " of " + source.url();
    for (int attempt = 0; ; attempt++) {
      String tipId = branchTip();
      if (tipId == null) {
        fetchLocked();
        tipId = branchTip();
      }
      ObjectId made;
      RevCommit tip;
      try (RevWalk walk = new RevWalk(repo)) {
        tip = walk.parseCommit(ObjectId.fromString(tipId));
        made = maker.make(tip);
      } catch (IOException e) {
        throw ControllerException.failed(what + ": " + e.getMessage(), e);
      }
      if (made.equals(tip)) {
        LOG.info("{}: nothing to change, the tip {} already has that tree", what, tipId);
        return tipId;
      }
      if (remote.push(repo, what, made, tip, TIMEOUT_SECONDS)) {
        updateLocalBranch(what, made, tip);
        LOG.info("{}: pushed {} on {}", what, made.name(), tipId.substring(0, 12));
        return made.name();
      }
      if (attempt == 1) {
        throw ControllerException.conflict(
            what + ": the branch moved on the remote again while pushing; try again");
      }
      LOG.info("{}: the remote branch moved since {}, fetching and trying once more", what, tipId);
      fetchLocked();
    }
  }

  private void updateLocalBranch(String what, ObjectId commit, ObjectId expected)
      throws ControllerException {
    try {
      RefUpdate u = repo.updateRef(source.ref());
      u.setExpectedOldObjectId(expected);
      u.setNewObjectId(commit);
      u.setRefLogMessage(what, false);
      RefUpdate.Result r = u.update();
      if (r != RefUpdate.Result.FAST_FORWARD && r != RefUpdate.Result.NEW) {
        // pushed; the mirror catches up on the next fetch
        LOG.warn("{}: pushed, but updating the mirror's {} gave {}", what, source.ref(), r);
      }
    } catch (IOException e) {
      LOG.warn(
          "{}: pushed, but updating the mirror's {} failed: {}", what, source.ref(), e.toString());
    }
  }

  private String branchTip() throws ControllerException {
    try {
      Ref ref = repo.exactRef(source.ref());
      return ref == null || ref.getObjectId() == null ? null : ref.getObjectId().name();
    } catch (IOException e) {
      throw ControllerException.failed(
          "read " + source.ref() + " of the mirror " + dir + ": " + e.getMessage(), e);
    }
  }

  /** The URL (no credentials), mirror refspecs and HEAD on the followed branch. */
  private void configure(String what) throws ControllerException {
    try {
      StoredConfig config = repo.getConfig();
      config.setString("remote", "origin", "url", source.url());
      config.setStringList("remote", "origin", "fetch", List.of(HEADS.toString(), TAGS.toString()));
      config.setBoolean("remote", "origin", "mirror", true);
      // JGit runs an automatic gc after each fetch, by default in a background thread that holds
      // gc.log.lock outside the mirror's lock: in-line, and with nothing to do
      config.setInt("gc", null, "auto", 0);
      config.setBoolean("gc", null, "autoDetach", false);
      config.save();
      Ref head = repo.exactRef("HEAD");
      if (head == null || !head.isSymbolic() || !head.getTarget().getName().equals(source.ref())) {
        RefUpdate u = repo.updateRef("HEAD");
        u.disableRefLog();
        u.link(source.ref());
      }
    } catch (IOException e) {
      throw ControllerException.failed(what + ": " + e.getMessage(), e);
    }
  }

  /**
   * Git lock files, pack temp files and pack {@code .keep} files left by a process that died
   * mid-fetch (the caller holds the mirror's lock, so no live writer owns them): a stale {@code
   * refs/heads/main.lock} would fail every later fetch, a stale {@code .keep} would pin its pack
   * past every gc.
   */
  private void removeStaleLocks() throws ControllerException {
    List<Path> stale = new ArrayList<>();
    try {
      try (Stream<Path> refs = Files.walk(dir.resolve("refs"))) {
        refs.filter(p -> p.getFileName().toString().endsWith(".lock")).forEach(stale::add);
      }
      for (Path d : List.of(dir, dir.resolve("objects"), dir.resolve("objects/pack"))) {
        if (!Files.isDirectory(d)) {
          continue;
        }
        try (Stream<Path> files = Files.list(d)) {
          files
              .filter(Files::isRegularFile)
              .filter(
                  p -> {
                    String n = p.getFileName().toString();
                    return (n.endsWith(".lock") && !n.equals("stamp.lock"))
                        || n.startsWith("incoming_")
                        || (n.endsWith(".keep") && d.endsWith("pack"))
                        || (n.startsWith("noz") && d.endsWith("objects"));
                  })
              .forEach(stale::add);
        }
      }
      stale.addAll(halfMovedPacks(dir.resolve("objects/pack")));
      for (Path p : new LinkedHashSet<>(stale)) {
        LOG.warn("mirror {}: removing {} left by an interrupted operation", dir, dir.relativize(p));
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw ControllerException.failed("clean the mirror " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * A pack whose {@code .idx} never got beside it (the fetch died between moving the two into
   * place): no reader sees its objects, and a later fetch of the same pack would keep it and skip
   * its own index, failing every fetch after. An index without its pack is as useless.
   */
  private static List<Path> halfMovedPacks(Path packDir) throws IOException {
    if (!Files.isDirectory(packDir)) {
      return List.of();
    }
    List<String> names;
    try (Stream<Path> files = Files.list(packDir)) {
      names = files.map(p -> p.getFileName().toString()).toList();
    }
    List<Path> out = new ArrayList<>();
    for (String n : names) {
      if (!n.startsWith("pack-") || n.indexOf('.') < 0) {
        continue;
      }
      String base = n.substring(0, n.indexOf('.'));
      if (!names.contains(base + ".pack") || !names.contains(base + ".idx")) {
        out.add(packDir.resolve(n));
      }
    }
    return out;
  }

  @Override
  public void close() {
    remote.close();
    repo.close();
  }
}
