package dev.stamp.runtime.container;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Reads a container's log as the shim writes it: records of a 16-byte header — stream (1 stdout, 2
 * stderr), three zero bytes, payload length (uint32 big endian), wall-clock time in nanoseconds
 * since the epoch (int64 big endian) — followed by the payload (the bytes exactly as the container
 * wrote them). A record cut short at the end of the file is still being written and is read later.
 */
public final class LogReader {

  public static final int STDOUT = 1;
  public static final int STDERR = 2;
  static final int HEADER = 16;

  /** One chunk of output. */
  public record Entry(int stream, long timeNanos, byte[] data) {
    public String text() {
      return new String(data, StandardCharsets.UTF_8);
    }
  }

  private final Path file;
  private final BooleanSupplier live;

  LogReader(Path file, BooleanSupplier live) {
    this.file = file;
    this.live = live;
  }

  /** Every complete record in the log now. */
  public List<Entry> entries() throws IOException {
    List<Entry> entries = new ArrayList<>();
    read(0, entries);
    return entries;
  }

  /**
   * Copies the log to {@code out} and {@code err} by stream; with {@code follow}, keeps copying
   * until the container has exited and the log is drained. With {@code timestamps}, each chunk is
   * prefixed by its RFC 3339 time.
   */
  public void copyTo(OutputStream out, OutputStream err, boolean follow, boolean timestamps)
      throws IOException, InterruptedException {
    long position = 0;
    while (true) {
      boolean wasLive = follow && live.getAsBoolean();
      List<Entry> entries = new ArrayList<>();
      position = read(position, entries);
      for (Entry e : entries) {
        OutputStream target = e.stream() == STDERR ? err : out;
        if (timestamps) {
          Instant t = Instant.ofEpochSecond(0, e.timeNanos());
          target.write((t + " ").getBytes(StandardCharsets.UTF_8));
        }
        target.write(e.data());
      }
      out.flush();
      err.flush();
      if (!wasLive) {
        return;
      }
      if (entries.isEmpty()) {
        Thread.sleep(50);
      }
    }
  }

  /** Reads complete records from {@code position}; returns the position after the last one. */
  private long read(long position, List<Entry> into) throws IOException {
    if (!Files.exists(file)) {
      return position;
    }
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      long length = raf.length();
      byte[] header = new byte[HEADER];
      while (position + HEADER <= length) {
        raf.seek(position);
        raf.readFully(header);
        int size =
            ((header[4] & 0xff) << 24)
                | ((header[5] & 0xff) << 16)
                | ((header[6] & 0xff) << 8)
                | (header[7] & 0xff);
        if (size < 0 || position + HEADER + size > length) {
          break;
        }
        long time = 0;
        for (int i = 8; i < 16; i++) {
          time = (time << 8) | (header[i] & 0xff);
        }
        byte[] data = new byte[size];
        raf.readFully(data);
        into.add(new Entry(header[0], time, data));
        position += HEADER + size;
      }
    }
    return position;
  }
}
