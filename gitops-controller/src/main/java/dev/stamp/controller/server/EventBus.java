package dev.stamp.controller.server;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Wakes readers of an app's event stream when a new event is stored. The events themselves live in
 * the store (a reader that missed a wake-up finds them on its next read); this only saves the
 * readers from polling.
 */
final class EventBus {

  private final Map<String, Object> monitors = new ConcurrentHashMap<>();

  private Object monitor(String app) {
    return monitors.computeIfAbsent(app, a -> new Object());
  }

  void published(String app) {
    Object m = monitor(app);
    synchronized (m) {
      m.notifyAll();
    }
  }

  /** Waits up to {@code millis} for an event of {@code app}. */
  void await(String app, long millis) throws InterruptedException {
    Object m = monitor(app);
    synchronized (m) {
      m.wait(millis);
    }
  }
}
