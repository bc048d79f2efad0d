package dev.stamp.controller.api;

import dev.stamp.controller.ControllerException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A core that answers from fixed data and records what it was asked: one app {@code shop} with two
 * releases, events that tests add while readers follow, webhook secrets, and a failure to throw
 * when a test sets one.
 */
final class FakeOperations implements ControllerOperations {

  static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
  static final String DIGEST = "sha256:" + "c".repeat(64);

  /** A {@code pushed} call. */
  record Push(String repository, String ref, String after, String provider) {}

  final List<Push> pushes = new CopyOnWriteArrayList<>();
  final List<String> calls = new CopyOnWriteArrayList<>();
  final List<WebhookSecret> secrets = new CopyOnWriteArrayList<>();
  private final List<EventView> events = new ArrayList<>();
  volatile ControllerException failure;
  volatile ControllerException eventsFailure;

  /** How many more event streams end (the core returns) once they have sent what is stored. */
  final java.util.concurrent.atomic.AtomicInteger streamsToEnd =
      new java.util.concurrent.atomic.AtomicInteger();

  static AppView shop() {
    return new AppView(
        "shop",
        "git@git.example:acme/shop.git",
        "main",
        "apps/shop/compose.yaml",
        "synced",
        "release 2 running on 2 hosts",
        COMMIT,
        COMMIT,
        2L,
        "2026-12-06T10:00:00Z",
        List.of(
            new AppView.ServiceView(
                "web",
                "registry.example/shop/web@" + DIGEST,
                DIGEST,
                2,
                List.of(
                    new AppView.HostServiceView(
                        "h1", "running", "healthy", DIGEST, 2, false, null)))));
  }

  static ReleaseView release(long id) {
    return new ReleaseView(
        id,
        "shop",
        COMMIT,
        COMMIT.substring(0, 12),
        "Ada <ada@example.org>",
        "web: bump busybox",
        id == 2 ? "succeeded" : "rolled_back",
        "webhook",
        "2026-12-06T09:59:00Z",
        "2026-12-06T10:00:00Z",
        Map.of("web", DIGEST),
        List.of(new ReleaseView.HostResult("h1", "web", "replaced", null)),
        List.of(
            new ReleaseView.PolicyFinding(
                "no-latest-tag",
                "warning",
                "apps/shop/web/Dockerfile:1",
                "FROM uses :latest",
                false)),
        null,
        null);
  }

  private void check(String call) throws ControllerException {
    calls.add(call);
    ControllerException f = failure;
    if (f != null) {
      throw f;
    }
  }

  private static void known(String app) throws ControllerException {
    if (!app.equals("shop")) {
      throw ControllerException.notFound("app " + app + ": not found");
    }
  }

  @Override
  public List<AppView> apps() throws ControllerException {
    check("apps");
    return List.of(shop());
  }

  @Override
  public AppView app(String app) throws ControllerException {
    check("app " + app);
    known(app);
    return shop();
  }

  @Override
  public List<ReleaseView> history(String app, int max) throws ControllerException {
    check("history " + app + " " + max);
    known(app);
    return List.of(release(2), release(1)).subList(0, Math.min(2, max));
  }

  @Override
  public ReleaseView release(String app, long id) throws ControllerException {
    check("release " + app + " " + id);
    known(app);
    if (id < 1 || id > 2) {
      throw ControllerException.notFound("app " + app + ": no release " + id);
    }
    return release((int) id);
  }

  @Override
  public PlanView plan(String app, Optional<String> rev) throws ControllerException {
    check("plan " + app + " " + rev.orElse("-"));
    known(app);
    return new PlanView(
        app,
        COMMIT,
        List.of(
            new PlanView.Build(
                "web", "reuse", "k1", "shop/web:0123456789ab", DIGEST, "same build key")),
        List.of(new PlanView.Change("h1", "web", "replace", DIGEST, DIGEST, "drift")),
        List.of());
  }

  @Override
  public SyncAccepted sync(String app, Optional<String> rev, boolean overrideWindow)
      throws ControllerException {
    check("sync " + app + " " + rev.orElse("-") + " " + overrideWindow);
    known(app);
    return new SyncAccepted(app, 3, rev.orElse(null), "pending");
  }

  @Override
  public SyncAccepted rollback(String app, Optional<Long> toRelease) throws ControllerException {
    check("rollback " + app + " " + toRelease.map(String::valueOf).orElse("-"));
    known(app);
    return new SyncAccepted(app, 4, null, "pending");
  }

  /** Adds an event (id = count + 1) and wakes the readers. */
  synchronized EventView emit(String type) {
    EventView e =
        new EventView(
            events.size() + 1,
            "shop",
            2L,
            type,
            "2026-12-06T10:00:0" + (events.size() % 10) + "Z",
            type + " happened\nover two lines",
            Map.of("n", events.size() + 1));
    events.add(e);
    notifyAll();
    return e;
  }

  /** When set, events() offers this many numbered events as fast as it can, then waits. */
  volatile long flood;

  /** What the last flood offered before the sink refused (0 while none was refused). */
  final java.util.concurrent.atomic.AtomicLong refusedAt =
      new java.util.concurrent.atomic.AtomicLong();

  @Override
  public void events(String app, long after, EventSink sink) throws ControllerException {
    calls.add("events " + app + " " + after);
    if (flood > 0) {
      for (long id = after + 1; id <= after + flood; id++) {
        String pad = "x".repeat(200);
        if (!sink.offer(new EventView(id, app, null, "built", "t", pad, null))) {
          refusedAt.set(id);
          return;
        }
      }
    }
    long last = after;
    while (!sink.closed()) {
      List<EventView> batch = new ArrayList<>();
      synchronized (this) {
        for (EventView e : events) {
          if (e.id() > last) {
            batch.add(e);
          }
        }
        if (batch.isEmpty()) {
          ControllerException f = eventsFailure;
          if (f != null) {
            throw f;
          }
          if (streamsToEnd.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            return;
          }
          try {
            wait(50);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
          continue;
        }
      }
      for (EventView e : batch) {
        if (!sink.offer(e)) {
          return;
        }
        last = e.id();
      }
    }
  }

  @Override
  public void pushed(String repository, String ref, String afterCommit, String provider) {
    pushes.add(new Push(repository, ref, afterCommit, provider));
  }

  @Override
  public List<WebhookSecret> webhookSecrets() {
    return List.copyOf(secrets);
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
