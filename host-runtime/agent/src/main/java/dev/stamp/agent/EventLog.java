package dev.stamp.agent;

import dev.stamp.agent.api.AgentEvent;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Every state change of the agent, numbered, the last {@value #KEEP} kept in memory for readers of
 * {@code GET /v1/events} that reconnect with {@code Last-Event-ID}. Readers wait on a condition; a
 * slow reader never slows a writer (it reads from the buffer and misses what fell off its end).
 */
public final class EventLog {

  static final int KEEP = 4096;

  private final Clock clock;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition added = lock.newCondition();
  private final Deque<AgentEvent> events = new ArrayDeque<>();
  private long seq;

  public EventLog(Clock clock) {
    this.clock = clock;
  }

  public AgentEvent add(String service, String type, long generation, String message) {
    lock.lock();
    try {
      AgentEvent e =
          new AgentEvent(++seq, clock.instant().toString(), service, type, generation, message);
      events.addLast(e);
      if (events.size() > KEEP) {
        events.removeFirst();
      }
      added.signalAll();
      return e;
    } finally {
      lock.unlock();
    }
  }

  /** The events after {@code after}, waiting up to {@code waitMillis} when there are none yet. */
  public List<AgentEvent> after(long after, long waitMillis) throws InterruptedException {
    lock.lock();
    try {
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
      while (seq <= after) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return List.of();
        }
        added.awaitNanos(left);
      }
      List<AgentEvent> out = new ArrayList<>();
      for (AgentEvent e : events) {
        if (e.seq() > after) {
          out.add(e);
        }
      }
      return out;
    } finally {
      lock.unlock();
    }
  }

  public long last() {
    lock.lock();
    try {
      return seq;
    } finally {
      lock.unlock();
    }
  }
}
