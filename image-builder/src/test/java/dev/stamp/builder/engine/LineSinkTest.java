package dev.stamp.builder.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineSinkTest {

  @Test
  void splitsLinesPerStreamKeepsEmptyOnesAndTheTail() throws Exception {
    List<String> lines = new ArrayList<>();
    LineSink sink = new LineSink(lines::add, 3);
    sink.stdout().write("one\ntw".getBytes(StandardCharsets.UTF_8));
    sink.stderr().write("err\r\n".getBytes(StandardCharsets.UTF_8));
    sink.stdout().write("o\n\nthree".getBytes(StandardCharsets.UTF_8));
    sink.flush();
    assertThat(lines).containsExactly("one", "err", "two", "", "three");
    assertThat(sink.tail()).containsExactly("two", "", "three");
  }
}
