package dev.stamp.controller.api;

/**
 * Where {@link ControllerOperations#events} sends one reader's events. The server's sink buffers a
 * bounded number of events per connection and never blocks: a reader too slow to keep up is cut off
 * (it resumes with {@code Last-Event-ID}), so a producer is never slowed by a reader.
 */
public interface EventSink {

  /**
   * Queues {@code event}; false when the sink is closed (reader gone or too slow): stop sending.
   */
  boolean offer(EventView event);

  /** Whether the reader is gone; a producer waiting for live events checks this now and then. */
  boolean closed();
}
