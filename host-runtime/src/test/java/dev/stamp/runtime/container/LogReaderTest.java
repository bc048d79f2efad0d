package dev.stamp.runtime.container;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogReaderTest {

  @TempDir Path tmp;

  static byte[] record(int stream, long time, String text) {
    byte[] data = text.getBytes();
    return ByteBuffer.allocate(16 + data.length)
        .put((byte) stream)
        .put(new byte[3])
        .putInt(data.length)
        .putLong(time)
        .put(data)
        .array();
  }

  @Test
  void decodesStreamsAndSkipsAnIncompleteTail() throws Exception {
    Path log = tmp.resolve("log");
    Files.write(log, record(1, 1_000_000_000L, "out\n"));
    Files.write(log, record(2, 2_000_000_000L, "err\n"), StandardOpenOption.APPEND);
    byte[] partial = record(1, 3, "later");
    Files.write(log, java.util.Arrays.copyOf(partial, 18), StandardOpenOption.APPEND);
    LogReader reader = new LogReader(log, () -> false);
    assertThat(reader.entries()).hasSize(2);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    reader.copyTo(out, err, true, true);
    assertThat(out.toString()).isEqualTo("1970-01-01T00:00:01Z out\n");
    assertThat(err.toString()).isEqualTo("1970-01-01T00:00:02Z err\n");
  }
}
