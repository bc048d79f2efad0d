package dev.stamp.controller.api;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A {@link ControllerServer} on 127.0.0.1 (an ephemeral port) in front of {@link FakeOperations},
 * with a token file, a plain HTTP client to send anything, and a {@link ControllerClient}.
 */
final class ServerFixture implements AutoCloseable {

  static final String TOKEN = "0123456789abcdef0123456789abcdef";
  static final String AUTH = "Bearer " + TOKEN;

  final FakeOperations ops = new FakeOperations();
  final ControllerMetrics metrics = new ControllerMetrics();
  final ControllerServer server;
  final HttpClient http = HttpClient.newHttpClient();
  final ControllerClient client;

  ServerFixture(Path dir) throws Exception {
    this(dir, c -> c);
  }

  ServerFixture(Path dir, UnaryOperator<ControllerServer.Config> tune) throws Exception {
    Path token = tokenFile(dir);
    server =
        ControllerServer.start(
            tune.apply(ControllerServer.Config.of("127.0.0.1", 0, token)), ops, metrics);
    client = new ControllerClient(server.uri(), TOKEN, null, Duration.ofSeconds(10));
  }

  static Path tokenFile(Path dir) throws Exception {
    Path token = dir.resolve("token");
    Files.writeString(token, TOKEN + "\n");
    Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
    return token;
  }

  URI uri(String path) {
    return server.uri().resolve(path.startsWith("/") ? path.substring(1) : path);
  }

  HttpResponse<String> send(String method, String path, String auth, String body) throws Exception {
    return send(method, path, auth, body == null ? null : FakeOperations.bytes(body), Map.of());
  }

  HttpResponse<String> send(
      String method, String path, String auth, byte[] body, Map<String, String> headers)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri(path))
            .timeout(Duration.ofSeconds(20))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
    if (auth != null) {
      b.header("Authorization", auth);
    }
    headers.forEach(b::header);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Override
  public void close() {
    server.close();
  }
}
