package dev.stamp.controller.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** Reads an event stream's raw lines on a thread of its own, for tests to wait on. */
final class SseReader implements AutoCloseable {

  final HttpResponse<Stream<String>> response;
  private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
  final List<String> seen = new ArrayList<>();
  private final Thread thread;

  SseReader(HttpClient http, HttpRequest request) throws Exception {
    response = http.send(request, HttpResponse.BodyHandlers.ofLines());
    thread =
        new Thread(
            () -> {
              try {
                response.body().forEach(lines::add);
              } catch (RuntimeException e) {
                // closed by the test or the server
              }
              lines.add("<end>");
            },
            "sse-reader");
    thread.setDaemon(true);
    thread.start();
  }

  /** Lines up to and including the first that {@code last} accepts (fails after 20 s). */
  List<String> until(Predicate<String> last) throws InterruptedException {
    List<String> out = new ArrayList<>();
    while (true) {
      String line = lines.poll(20, TimeUnit.SECONDS);
      assertThat(line).as("a line after " + seen).isNotNull();
      seen.add(line);
      out.add(line);
      if (last.test(line)) {
        return out;
      }
      assertThat(line)
          .as("stream ended before the line awaited; saw " + seen)
          .isNotEqualTo("<end>");
    }
  }

  /** The data lines up to and including the one of the event with id {@code id}. */
  List<String> dataUntil(long id) throws InterruptedException {
    List<String> data = new ArrayList<>();
    boolean found = false;
    while (!found) {
      for (String line : until(l -> l.startsWith("data: ") || l.equals("<end>"))) {
        if (line.startsWith("data: ")) {
          data.add(line.substring(6));
          found = line.contains("\"id\":" + id + ",");
        }
      }
    }
    return data;
  }

  @Override
  public void close() {
    response.body().close();
  }
}
