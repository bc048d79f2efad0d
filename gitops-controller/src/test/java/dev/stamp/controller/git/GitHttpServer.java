package dev.stamp.controller.git;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * Git's smart HTTP protocol on 127.0.0.1: Jetty in front of {@code git http-backend} run as a CGI
 * per request, behind HTTP basic authentication with one user and password.
 */
public final class GitHttpServer implements AutoCloseable {

  private final Server server;
  final AtomicInteger refused = new AtomicInteger();

  GitHttpServer(Path base, String user, String password) throws Exception {
    this(base, user, password, 0);
  }

  /** The same on {@code port} of 127.0.0.1 (0: a free one), to serve again where it stopped. */
  public GitHttpServer(Path base, String user, String password, int port) throws Exception {
    String expected =
        "Basic "
            + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    server.addConnector(connector);
    server.setHandler(
        new Handler.Abstract() {
          @Override
          public boolean handle(Request request, Response response, Callback callback)
              throws Exception {
            if (!expected.equals(request.getHeaders().get(HttpHeader.AUTHORIZATION))) {
              refused.incrementAndGet();
              response.setStatus(401);
              response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Basic realm=\"git\"");
              response.write(true, ByteBuffer.allocate(0), callback);
              return true;
            }
            cgi(base, user, request, response, callback);
            return true;
          }
        });
    server.start();
  }

  public String url(String repo) {
    return "http://127.0.0.1:"
        + ((ServerConnector) server.getConnectors()[0]).getLocalPort()
        + "/"
        + repo;
  }

  private static void cgi(Path base, String user, Request request, Response response, Callback cb)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder("git", "http-backend");
    Map<String, String> env = pb.environment();
    env.put("GIT_PROJECT_ROOT", base.toString());
    env.put("GIT_HTTP_EXPORT_ALL", "1");
    env.put("REMOTE_USER", user);
    env.put("REQUEST_METHOD", request.getMethod());
    env.put("PATH_INFO", request.getHttpURI().getDecodedPath());
    env.put(
        "QUERY_STRING",
        request.getHttpURI().getQuery() == null ? "" : request.getHttpURI().getQuery());
    String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
    env.put("CONTENT_TYPE", type == null ? "" : type);
    String encoding = request.getHeaders().get(HttpHeader.CONTENT_ENCODING);
    if (encoding != null) {
      env.put("HTTP_CONTENT_ENCODING", encoding);
    }
    String protocol = request.getHeaders().get("Git-Protocol");
    if (protocol != null) {
      env.put("GIT_PROTOCOL", protocol);
    }
    Process p = pb.start();
    Thread feeder =
        new Thread(
            () -> {
              try (InputStream in = Content.Source.asInputStream(request);
                  OutputStream out = p.getOutputStream()) {
                in.transferTo(out);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    feeder.start();
    byte[] all = p.getInputStream().readAllBytes();
    p.waitFor();
    feeder.join();
    int split = indexOf(all, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    int skip = 4;
    if (split < 0) {
      split = indexOf(all, "\n\n".getBytes(StandardCharsets.US_ASCII));
      skip = 2;
    }
    String head = new String(all, 0, split, StandardCharsets.ISO_8859_1);
    for (String line : head.split("\r?\n")) {
      int colon = line.indexOf(':');
      String name = line.substring(0, colon).trim();
      String value = line.substring(colon + 1).trim();
      if (name.equalsIgnoreCase("Status")) {
        response.setStatus(Integer.parseInt(value.substring(0, 3)));
      } else {
        response.getHeaders().add(name, value);
      }
    }
    response.write(true, ByteBuffer.wrap(all, split + skip, all.length - split - skip), cb);
  }

  private static int indexOf(byte[] data, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= data.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (data[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  @Override
  public void close() throws Exception {
    server.stop();
    server.join();
  }
}
