package dev.stamp.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * HTTP from a test to what a test started (a published port, a replica, an agent): one GET, or GETs
 * retried until the server is up, always bounded in time.
 */
public final class HttpFetch {

  private HttpFetch() {}

  /**
   * GETs {@code url}; the body of a 2xx answer, or null when the connection or the status fails.
   */
  public static String get(String url) {
    try {
      HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
      c.setConnectTimeout(2000);
      c.setReadTimeout(5000);
      try (InputStream in = c.getInputStream()) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } finally {
        c.disconnect();
      }
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * Retries {@link #get} every 50 ms until it answers (a server just started) or {@code within} has
   * passed; the body, or null when it never answered.
   */
  public static String getWhenUp(String url, Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    String body = get(url);
    while (body == null && System.nanoTime() < deadline) {
      Thread.sleep(50);
      body = get(url);
    }
    return body;
  }

  /** {@link #getWhenUp(String, Duration)} within 15 s. */
  public static String getWhenUp(String url) throws InterruptedException {
    return getWhenUp(url, Duration.ofSeconds(15));
  }

  /**
   * {@code GET path} as HTTP/1.0 on a connection of its own (so a load balancer picks a backend for
   * each), 5 s to connect and to read; the body of a 200 answer. Anything else (a refused or reset
   * connection, another status, no HTTP at all) is an {@link IOException} that shows the answer.
   */
  public static String getOnNewConnection(String host, int port, String path) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 5000);
      socket.setSoTimeout(5000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("GET " + path + " HTTP/1.0\r\nHost: " + host + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int body = response.indexOf("\r\n\r\n");
      if (!(response.startsWith("HTTP/1.0 200") || response.startsWith("HTTP/1.1 200"))
          || body < 0) {
        throw new IOException(
            "not a 200 answer from " + host + ":" + port + path + ": " + response);
      }
      return response.substring(body + 4);
    }
  }
}
