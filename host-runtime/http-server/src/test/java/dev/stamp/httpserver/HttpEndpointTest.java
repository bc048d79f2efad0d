package dev.stamp.httpserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampException;
import dev.stamp.testkit.HttpFetch;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HttpEndpointTest {

  private static final Handler ECHO_LENGTH =
      new Handler.Abstract() {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
          try {
            byte[] body = RequestBodies.read(request, 16);
            response.setStatus(200);
            response.write(
                true,
                java.nio.ByteBuffer.wrap(("read " + body.length).getBytes(StandardCharsets.UTF_8)),
                callback);
          } catch (RequestBodies.TooLarge e) {
            response.setStatus(413);
            response.write(
                true,
                java.nio.ByteBuffer.wrap(e.getMessage().getBytes(StandardCharsets.UTF_8)),
                callback);
          } catch (java.io.IOException e) {
            callback.failed(e);
          }
          return true;
        }
      };

  @Test
  void servesOnAnEphemeralLoopbackPortAndCapsBodies() throws Exception {
    try (HttpEndpoint endpoint =
        HttpEndpoint.start(HttpEndpoint.Spec.plain("test API", "127.0.0.1", 0), ECHO_LENGTH)) {
      assertThat(endpoint.port()).isPositive();
      assertThat(endpoint.tls()).isFalse();
      assertThat(endpoint.uri()).isEqualTo(URI.create("http://127.0.0.1:" + endpoint.port() + "/"));
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      HttpResponse<String> ok =
          http.send(
              HttpRequest.newBuilder(endpoint.uri())
                  .POST(HttpRequest.BodyPublishers.ofString("0123456789abcdef"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(ok.body()).isEqualTo("read 16");
      HttpFetch.Answer big = HttpFetch.declaredOnly(endpoint.uri(), "POST", Map.of(), 17);
      assertThat(big.status()).isEqualTo(413);
      assertThat(big.body()).isEqualTo("request body: over the limit of 16 bytes");
    }
  }

  @Test
  void aTakenPortIsAConflictNamingTheEndpointAndAddress() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      assertThatThrownBy(
              () ->
                  HttpEndpoint.start(
                      HttpEndpoint.Spec.plain("test API", "127.0.0.1", port), ECHO_LENGTH))
          .isInstanceOfSatisfying(
              HostRuntimeException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(StampException.Kind.CONFLICT);
                assertThat(e.getMessage())
                    .startsWith("test API: cannot listen on 127.0.0.1:" + port);
              });
    }
  }

  @Test
  void aCertificateThatIsNotPemIsBadInputNamingTheFile(@TempDir Path dir) throws Exception {
    Path cert = Files.writeString(dir.resolve("cert.pem"), "not a certificate\n");
    Path key = Files.writeString(dir.resolve("key.pem"), "not a key\n");
    HttpEndpoint.Spec spec =
        HttpEndpoint.Spec.plain("test API", "127.0.0.1", 0)
            .withTls(Optional.of(HttpEndpoint.Tls.of(cert, key)));
    assertThatThrownBy(() -> HttpEndpoint.start(spec, ECHO_LENGTH))
        .isInstanceOfSatisfying(
            HostRuntimeException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(StampException.Kind.BAD_INPUT);
              assertThat(e.getMessage()).startsWith("test API TLS: ").contains(cert.toString());
            });
  }

  @Test
  void specsRefuseImpossiblePortsAndThreadCounts() {
    assertThatThrownBy(() -> HttpEndpoint.Spec.plain("x", "127.0.0.1", 65536))
        .hasMessage("x port: 0 to 65535, got 65536");
    assertThatThrownBy(() -> HttpEndpoint.Spec.plain("x", "127.0.0.1", 1).withThreads(2))
        .hasMessage("x threads: at least 8, got 2");
  }
}
