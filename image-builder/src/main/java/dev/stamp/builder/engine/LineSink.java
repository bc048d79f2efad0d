package dev.stamp.builder.engine;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;

/**
 * A RUN step's stdout and stderr as lines: each complete line goes to the consumer (stdout's and
 * stderr's partial lines are kept apart), and the last {@code tailSize} lines are kept for the
 * failure message.
 */
final class LineSink {

  private final Consumer<String> consumer;
  private final int tailSize;
  private final Deque<String> tail = new ArrayDeque<>();
  private final Stream out = new Stream();
  private final Stream err = new Stream();

  LineSink(Consumer<String> consumer, int tailSize) {
    this.consumer = consumer;
    this.tailSize = tailSize;
  }

  OutputStream stdout() {
    return out;
  }

  OutputStream stderr() {
    return err;
  }

  /** A line of Stamp's own (not the command's). */
  synchronized void note(String line) {
    emit(line);
  }

  /** Emits what is left of unterminated last lines. */
  synchronized void flush() {
    out.drain();
    err.drain();
  }

  synchronized List<String> tail() {
    return new ArrayList<>(tail);
  }

  private void emit(String line) {
    consumer.accept(line);
    tail.addLast(line);
    if (tail.size() > tailSize) {
      tail.removeFirst();
    }
  }

  private final class Stream extends OutputStream {
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    @Override
    public void write(int b) {
      synchronized (LineSink.this) {
        if (b == '\n') {
          String text = line.toString(StandardCharsets.UTF_8);
          line.reset();
          emit(text.endsWith("\r") ? text.substring(0, text.length() - 1) : text);
        } else {
          line.write(b);
        }
      }
    }

    @Override
    public void write(byte[] b, int off, int len) {
      synchronized (LineSink.this) {
        for (int i = off; i < off + len; i++) {
          write(b[i]);
        }
      }
    }

    void drain() {
      if (line.size() > 0) {
        write('\n');
      }
    }
  }
}
