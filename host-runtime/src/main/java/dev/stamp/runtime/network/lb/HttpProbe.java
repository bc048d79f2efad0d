package dev.stamp.runtime.network.lb;

import dev.stamp.runtime.HostRuntimeException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Healthy when {@code GET PATH} on the backend answers 2xx or 3xx within the timeout (redirects are
 * not followed). Each probe is a fresh HTTP/1.0 connection, closed after the status line.
 */
public final class HttpProbe implements HealthProbe {

  private static final Pattern PATH = Pattern.compile("/[\\x21-\\x7e]*");
  private static final Pattern STATUS_LINE = Pattern.compile("HTTP/\\d(?:\\.\\d)? (\\d{3})\\b.*");
  private static final int MAX_STATUS_LINE = 1024;

  private final String path;

  private HttpProbe(String path) {
    this.path = path;
  }

  /** A probe of {@code path} (absolute, printable ASCII without spaces). */
  public static HttpProbe of(String path) throws HostRuntimeException {
    if (path == null || !PATH.matcher(path).matches()) {
      throw HostRuntimeException.badInput(
          "health check path \"" + path + "\": expected an absolute path like /health");
    }
    return new HttpProbe(path);
  }

  @Override
  public ProbeResult probe(Backend backend, Duration timeout) {
    Instant start = Instant.now();
    long t0 = System.nanoTime();
    long deadline = t0 + timeout.toNanos();
    String outcome;
    boolean healthy = false;
    try (Socket socket = new Socket()) {
      socket.connect(TcpProbe.address(backend), TcpProbe.timeoutMillis(timeout));
      socket.getOutputStream().write(request(backend).getBytes(StandardCharsets.US_ASCII));
      String line = statusLine(socket, deadline);
      Matcher m = STATUS_LINE.matcher(line);
      if (m.matches()) {
        int status = Integer.parseInt(m.group(1));
        healthy = status >= 200 && status < 400;
        outcome = line;
      } else {
        outcome = "not an HTTP status line: \"" + line + "\"";
      }
    } catch (SocketTimeoutException e) {
      outcome = "GET " + path + " on " + backend.endpoint() + ": no answer in " + timeout;
    } catch (IOException e) {
      outcome = "GET " + path + " on " + backend.endpoint() + ": " + e.getMessage();
    }
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    return healthy
        ? ProbeResult.passed(outcome, start, took)
        : ProbeResult.failed(outcome, start, took);
  }

  @Override
  public String describe() {
    return "http GET " + path;
  }

  private String request(Backend backend) {
    return "GET "
        + path
        + " HTTP/1.0\r\nHost: "
        + backend.endpoint()
        + "\r\nUser-Agent: stamp-health\r\nConnection: close\r\n\r\n";
  }

  /** Reads up to the first CRLF, each read bounded by what is left of the deadline. */
  private static String statusLine(Socket socket, long deadline) throws IOException {
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    while (line.size() < MAX_STATUS_LINE) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new SocketTimeoutException("deadline");
      }
      socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
      int b = in.read();
      if (b < 0 || b == '\n') {
        break;
      }
      if (b != '\r') {
        line.write(b);
      }
    }
    return line.toString(StandardCharsets.ISO_8859_1);
  }
}
