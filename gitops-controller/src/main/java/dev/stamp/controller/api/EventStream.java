package dev.stamp.controller.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.stamp.controller.ControllerException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Blocker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/v1/apps/{app}/events}: server-sent events. The core's {@link
 * ControllerOperations#events} runs on a producer thread of its own and offers events to a {@link
 * Connection}, a queue of at most {@code buffer} events; the request thread writes them as {@code
 * id:}/{@code event:}/{@code data:} frames, and a {@code : heartbeat} comment when nothing came for
 * {@code heartbeat}. A reader that falls {@code buffer} events behind is sent what is queued and
 * cut off: it resumes with {@code Last-Event-ID}, and the producer is never held up. At most {@code
 * maxStreams} streams are open at once (503 past that).
 */
final class EventStream {

  private static final Logger LOG = LoggerFactory.getLogger(EventStream.class);

  private final ControllerOperations ops;
  private final ControllerMetrics metrics;
  private final Duration heartbeat;
  private final int buffer;
  private final ThreadPoolExecutor producers;
  private final Set<Connection> open = ConcurrentHashMap.newKeySet();

  EventStream(
      ControllerOperations ops,
      ControllerMetrics metrics,
      Duration heartbeat,
      int buffer,
      int maxStreams) {
    this.ops = ops;
    this.metrics = metrics;
    this.heartbeat = heartbeat;
    this.buffer = buffer;
    AtomicInteger n = new AtomicInteger();
    this.producers =
        new ThreadPoolExecutor(
            0,
            maxStreams,
            30,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            r -> {
              Thread t = new Thread(r, "controller-events-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  /** Streams {@code app}'s events after {@code after}; returns when the stream ends. */
  void serve(String app, long after, Response response) throws ApiFailure, ControllerException {
    ops.app(app); // NOT_FOUND is a 404, before any byte of the stream
    Connection c = new Connection(buffer);
    try {
      producers.execute(() -> produce(app, after, c));
    } catch (RejectedExecutionException e) {
      throw new ApiFailure(
          ApiError.Code.UNAVAILABLE,
          "events of " + app + ": too many event streams open; retry later",
          null,
          true);
    }
    open.add(c);
    metrics.streamOpened();
    try {
      response.setStatus(200);
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
      response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
      response.getHeaders().put("X-Accel-Buffering", "no");
      write(response, ": stamp controller events of " + app + "\nretry: 2000\n\n");
      long heartbeatMillis = heartbeat.toMillis();
      while (true) {
        Object next = c.next(heartbeatMillis);
        if (next == null) {
          write(response, ": heartbeat\n\n");
        } else if (next instanceof EventView e) {
          write(response, frame(e));
        } else if (next instanceof End end) {
          if (end.error() != null) {
            write(response, "event: error\ndata: " + json(end.error()) + "\n\n");
          } else if (end.overflow()) {
            write(response, ": reader too slow; reconnect with Last-Event-ID\n\n");
          }
          break;
        }
      }
    } catch (IOException e) {
      LOG.debug("events of {}: the reader went away: {}", app, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      c.closed = true;
      open.remove(c);
      metrics.streamClosed();
    }
  }

  private void produce(String app, long after, Connection c) {
    ApiError error = null;
    try {
      ops.events(app, after, c);
    } catch (ControllerException e) {
      error = ApiFailure.of(e).error();
    } catch (RuntimeException e) {
      LOG.error("events of {} failed", app, e);
      error = ApiError.of(ApiError.Code.FAILED, "events of " + app + ": " + e, true, null);
    }
    c.end(new End(error, false));
  }

  /** Ends every open stream (the server is stopping); producers see their sinks closed. */
  void stop() {
    for (Connection c : open) {
      c.end(new End(null, false));
    }
    producers.shutdown();
  }

  static String frame(EventView e) throws JsonProcessingException {
    String type = e.type() == null ? "message" : e.type().replaceAll("[\\r\\n]", " ");
    return "id: " + e.id() + "\nevent: " + type + "\ndata: " + json(e) + "\n\n";
  }

  private static String json(Object value) throws JsonProcessingException {
    // Jackson escapes line breaks inside strings: one data line per event
    return Bodies.JSON.writeValueAsString(value);
  }

  private static void write(Response response, String text) throws IOException {
    try (Blocker.Callback cb = Blocker.callback()) {
      response.write(false, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), cb);
      cb.block();
    }
  }

  /** The end of a stream: the producer's failure, or the reader fell too far behind. */
  record End(ApiError error, boolean overflow) {}

  /** One reader's sink: a bounded queue, closed when the reader goes or falls behind. */
  static final class Connection implements EventSink {
    private final int limit;
    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private volatile boolean closed;

    Connection(int limit) {
      this.limit = limit;
    }

    @Override
    public boolean offer(EventView event) {
      if (closed) {
        return false;
      }
      if (queue.size() >= limit) {
        end(new End(null, true));
        return false;
      }
      queue.add(event);
      return true;
    }

    @Override
    public boolean closed() {
      return closed;
    }

    /** The next event or {@link End}, or null when none came within {@code millis}. */
    Object next(long millis) throws InterruptedException {
      return queue.poll(millis, TimeUnit.MILLISECONDS);
    }

    private synchronized void end(End end) {
      if (!closed) {
        closed = true;
        queue.add(end);
      }
    }
  }
}
