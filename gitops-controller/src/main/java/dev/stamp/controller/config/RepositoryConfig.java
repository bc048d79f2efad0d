package dev.stamp.controller.config;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;

/**
 * A GitOps repository the controller watches: every {@code compose.yaml} under {@code path} (the
 * root when empty) on {@code branch} is an app. It is fetched every {@code poll} (null: never, push
 * webhooks only) plus up to {@code jitter} of that (a fraction, 0.1 = 10%), so many repositories do
 * not fetch in step. {@code autoSync} false: changes are planned and shown but only rolled out by
 * {@code stamp sync}. {@code prune} (default true, as Flux's Kustomization {@code prune}): an app
 * whose {@code compose.yaml} leaves the repository has its services deleted from the hosts; false
 * leaves them running.
 */
public record RepositoryConfig(
    String name,
    URI url,
    String branch,
    String path,
    Duration poll,
    double jitter,
    RepositoryCredentials credentials,
    WebhookConfig webhook,
    List<SyncWindow> syncWindows,
    boolean autoSync,
    boolean prune) {

  public static final String DEFAULT_BRANCH = "main";
  public static final Duration DEFAULT_POLL = Duration.ofSeconds(60);
  public static final double DEFAULT_JITTER = 0.1;

  /** The shortest poll interval accepted. */
  public static final Duration MIN_POLL = Duration.ofSeconds(1);

  private static final Pattern BAD_REF =
      Pattern.compile(".*(\\.\\.|@\\{|//|[\\x00-\\x20~^:?*\\[\\\\\\x7f]).*");

  public RepositoryConfig {
    Names.require(name, "repository");
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(credentials, "credentials");
    String problem = branchProblem(branch);
    if (problem == null) {
      problem = pathProblem(path);
    }
    if (problem != null) {
      throw new IllegalArgumentException("repository " + name + ": " + problem);
    }
    if (poll != null && poll.compareTo(MIN_POLL) < 0) {
      throw new IllegalArgumentException("repository " + name + ": poll below " + MIN_POLL);
    }
    if (!(jitter >= 0 && jitter <= 1)) {
      throw new IllegalArgumentException("repository " + name + ": jitter outside 0..1");
    }
    syncWindows = List.copyOf(syncWindows);
  }

  /** Whether the repository is fetched on a timer (else webhooks only). */
  public boolean polls() {
    return poll != null;
  }

  /** The delay before the next fetch: {@code poll} plus a random part of {@code jitter * poll}. */
  public Duration nextPollDelay(RandomGenerator random) {
    if (poll == null) {
      throw new IllegalStateException("repository " + name + " does not poll");
    }
    long extra = (long) (poll.toMillis() * jitter * random.nextDouble());
    return poll.plusMillis(extra);
  }

  /**
   * Whether {@code app} may be synced at {@code t}, as the repository's {@link #syncWindows()} say:
   * not while a deny window that applies to it is open; and when allow windows apply to it, only
   * while one of them is open. A manual sync ({@code manual}) passes a window that says {@code
   * manualSync: true}. With no windows every sync is allowed. ({@link #autoSync()} is separate: it
   * decides whether a change starts a sync at all.)
   */
  public boolean syncAllowed(Instant t, String app, boolean manual) {
    boolean anyAllow = false;
    boolean allowOpen = false;
    boolean allowManual = false;
    for (SyncWindow w : syncWindows) {
      if (!w.appliesTo(app)) {
        continue;
      }
      if (w.kind() == SyncWindow.Kind.DENY) {
        if (w.isActive(t) && !(manual && w.manualSync())) {
          return false;
        }
      } else {
        anyAllow = true;
        allowOpen |= w.isActive(t);
        allowManual |= w.manualSync();
      }
    }
    return !anyAllow || allowOpen || manual && allowManual;
  }

  /**
   * When the windows that keep {@code app} from syncing at {@code t} ({@link #syncAllowed} false)
   * next let it through: the latest end of the open deny windows, or the next opening of an allow
   * window, whichever is later. Empty when nothing holds the app, or when no window opens again.
   */
  public java.util.Optional<Instant> syncHeldUntil(Instant t, String app, boolean manual) {
    if (syncAllowed(t, app, manual)) {
      return java.util.Optional.empty();
    }
    Instant denyEnd = null;
    Instant allowNext = null;
    boolean anyAllow = false;
    boolean allowPasses = false;
    for (SyncWindow w : syncWindows) {
      if (!w.appliesTo(app)) {
        continue;
      }
      if (w.kind() == SyncWindow.Kind.DENY) {
        Instant closes = manual && w.manualSync() ? null : w.closesAt(t);
        if (closes != null && (denyEnd == null || closes.isAfter(denyEnd))) {
          denyEnd = closes;
        }
      } else {
        anyAllow = true;
        allowPasses |= w.isActive(t) || manual && w.manualSync();
        Instant opens = w.nextOpening(t);
        if (opens != null && (allowNext == null || opens.isBefore(allowNext))) {
          allowNext = opens;
        }
      }
    }
    if (!anyAllow || allowPasses) {
      return java.util.Optional.ofNullable(denyEnd);
    }
    if (allowNext == null) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(
        denyEnd != null && denyEnd.isAfter(allowNext) ? denyEnd : allowNext);
  }

  /** Why {@code branch} is no valid branch name, or null. */
  static String branchProblem(String branch) {
    if (branch == null
        || branch.isEmpty()
        || branch.startsWith("-")
        || branch.startsWith("/")
        || branch.endsWith("/")
        || branch.endsWith(".")
        || branch.endsWith(".lock")
        || branch.startsWith("refs/")
        || BAD_REF.matcher(branch).matches()) {
      return "expected a branch name such as main or release/1.x, got \"" + branch + "\"";
    }
    return null;
  }

  /** Why {@code path} is no relative directory inside a repository, or null. */
  static String pathProblem(String path) {
    if (path == null) {
      return "expected a directory inside the repository, got null";
    }
    if (path.isEmpty()) {
      return null;
    }
    boolean bad = path.startsWith("/") || path.endsWith("/") || path.contains("\\");
    for (String segment : path.split("/", -1)) {
      bad |= segment.isEmpty() || segment.equals(".") || segment.equals("..");
    }
    return bad
        ? "expected a directory inside the repository such as apps or deploy/prod (relative, no"
            + " '..'), got \""
            + path
            + "\""
        : null;
  }

  /** {@code path} as users may write it: {@code ./apps/} becomes {@code apps}, {@code .} root. */
  static String normalizePath(String path) {
    String p = path.strip();
    while (p.startsWith("./")) {
      p = p.substring(2);
    }
    while (p.endsWith("/") && p.length() > 1) {
      p = p.substring(0, p.length() - 1);
    }
    return p.equals(".") ? "" : p;
  }
}
