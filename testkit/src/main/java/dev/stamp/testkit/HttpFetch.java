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

  /** A status line's code and the (de-chunked) body of an answer read off a socket. */
  public record Answer(int status, String body) {}

  /**
   * Sends only the head of {@code method uri} declaring a body of {@code length} bytes, then reads
   * the answer: what a server that refuses a body from its declared length (413) says, with no race
   * between the client still writing the body and the server closing the connection (a RST then
   * loses the answer). The head says {@code Connection: close}; 5 s to connect and to read.
   */
  public static Answer declaredOnly(
      URI uri, String method, java.util.Map<String, String> headers, long length)
      throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5000);
      socket.setSoTimeout(5000);
      StringBuilder head = new StringBuilder();
      head.append(method)
          .append(' ')
          .append(uri.getRawPath())
          .append(uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery())
          .append(" HTTP/1.1\r\nHost: ")
          .append(uri.getHost())
          .append(':')
          .append(uri.getPort())
          .append("\r\nContent-Length: ")
          .append(length)
          .append("\r\nConnection: close\r\n");
      headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
      head.append("\r\n");
      OutputStream out = socket.getOutputStream();
      out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
      out.flush();
      // one byte one char until the body is cut out (chunk sizes count bytes), then UTF-8
      String response =
          new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      int end = response.indexOf("\r\n\r\n");
      if (!response.startsWith("HTTP/1.") || end < 0) {
        throw new IOException("no HTTP answer from " + uri + ": " + response);
      }
      int status = Integer.parseInt(response.substring(9, 12));
      String body = response.substring(end + 4);
      if (response
          .substring(0, end)
          .toLowerCase(java.util.Locale.ROOT)
          .contains("transfer-encoding: chunked")) {
        body = dechunk(body);
      }
      return new Answer(
          status, new String(body.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
    }
  }

  private static String dechunk(String chunked) {
    StringBuilder out = new StringBuilder();
    int at = 0;
    while (true) {
      int eol = chunked.indexOf("\r\n", at);
      int size = Integer.parseInt(chunked.substring(at, eol).split(";")[0].trim(), 16);
      if (size == 0) {
        return out.toString();
      }
      out.append(chunked, eol + 2, eol + 2 + size);
      at = eol + 2 + size + 2;
    }
  }
}
