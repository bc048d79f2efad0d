package dev.stamp.runtime.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An answer's body as an {@link InputStream} that gives up when the registry falls silent: a read
 * that waits longer than the read timeout for the next bytes throws {@link HttpTimeoutException}
 * and drops the connection. ({@code HttpRequest.timeout} only covers the wait for the headers.)
 * Closing it before the end cancels the transfer.
 */
final class TimedBodyStream extends InputStream
    implements HttpResponse.BodySubscriber<TimedBodyStream> {

  private static final Object END = new Object();

  private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  private final long timeoutNanos;
  private final String peer;
  private volatile Flow.Subscription subscription;
  private Iterator<ByteBuffer> buffers = List.<ByteBuffer>of().iterator();
  private ByteBuffer current;
  private boolean ended;
  private boolean closed;

  TimedBodyStream(Duration readTimeout, String peer) {
    this.timeoutNanos = readTimeout.toNanos();
    this.peer = peer;
  }

  /** Available at once (like {@code ofInputStream}), so {@code send} returns on the headers. */
  @Override
  public CompletionStage<TimedBodyStream> getBody() {
    return CompletableFuture.completedFuture(this);
  }

  /**
   * Buffer lists the client may deliver ahead of the reader. One at a time (request(1) per item
   * read) makes the client's thread wait for the reader at every buffer: a thread handoff each
   * time, which on a busy machine halved a blob's download rate. A few MB ahead (buffers of {@link
   * Transport#BUFSIZE} bytes) lets the socket reads and the reader's hashing and writing overlap.
   */
  static final int AHEAD = 16;

  @Override
  public void onSubscribe(Flow.Subscription s) {
    subscription = s;
    s.request(AHEAD);
  }

  @Override
  public void onNext(List<ByteBuffer> item) {
    queue.add(item);
  }

  @Override
  public void onError(Throwable throwable) {
    queue.add(throwable);
  }

  @Override
  public void onComplete() {
    queue.add(END);
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] buf, int off, int len) throws IOException {
    if (closed) {
      throw new IOException("body stream from " + peer + " is closed");
    }
    if (len == 0) {
      return 0;
    }
    if (!fill()) {
      return -1;
    }
    int n = Math.min(len, current.remaining());
    current.get(buf, off, n);
    return n;
  }

  /**
   * The next unread bytes as the client delivered them (a view the caller reads to its end), or
   * null at the end of the body: a download copies them once, into the store's buffer.
   */
  ByteBuffer nextBuffer() throws IOException {
    if (closed) {
      throw new IOException("body stream from " + peer + " is closed");
    }
    if (!fill()) {
      return null;
    }
    ByteBuffer view = current.slice();
    current.position(current.limit());
    return view;
  }

  /** Makes {@code current} hold unread bytes; false at the end of the body. */
  private boolean fill() throws IOException {
    while (current == null || !current.hasRemaining()) {
      if (buffers.hasNext()) {
        current = buffers.next();
        continue;
      }
      if (ended) {
        return false;
      }
      Object next = take();
      if (next == END) {
        ended = true;
      } else if (next instanceof Throwable t) {
        ended = true;
        throw t instanceof IOException io ? io : new IOException(t.getMessage(), t);
      } else {
        @SuppressWarnings("unchecked")
        List<ByteBuffer> list = (List<ByteBuffer>) next;
        buffers = list.iterator();
        subscription.request(1);
      }
    }
    return true;
  }

  private Object take() throws IOException {
    try {
      Object next = queue.poll(timeoutNanos, TimeUnit.NANOSECONDS);
      if (next == null) {
        cancel();
        throw new HttpTimeoutException(
            "no data from " + peer + " for " + DurationText.describe(timeoutNanos));
      }
      return next;
    } catch (InterruptedException e) {
      cancel();
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while reading from " + peer);
    }
  }

  private void cancel() {
    ended = true;
    Flow.Subscription s = subscription;
    if (s != null) {
      s.cancel();
    }
  }

  /** Reads whatever is left, up to {@code max} bytes (for error bodies). */
  byte[] readUpTo(int max) throws IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    int n;
    while (out.size() < max && (n = read(buf, 0, Math.min(buf.length, max - out.size()))) >= 0) {
      out.write(buf, 0, n);
    }
    return out.toByteArray();
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      if (!ended) {
        cancel();
      }
    }
  }
}
