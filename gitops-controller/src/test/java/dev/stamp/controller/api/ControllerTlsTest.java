package dev.stamp.controller.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.controller.ControllerException;
import dev.stamp.runtime.StampException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS from PEM files made by openssl, as an operator would make them. */
class ControllerTlsTest {

  @TempDir static Path dir;

  static void openssl(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("openssl"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as(String.join(" ", cmd) + "\n" + out).isZero();
  }

  static void ca(String name) throws Exception {
    openssl(
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        name + ".key",
        "-out",
        name + ".pem",
        "-days",
        "2",
        "-subj",
        "/CN=" + name);
  }

  @BeforeAll
  static void certificates() throws Exception {
    ca("ca");
    ca("other-ca");
    openssl(
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=controller");
    Files.writeString(dir.resolve("san.ext"), "subjectAltName=IP:127.0.0.1\n");
    openssl(
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "2",
        "-extfile",
        "san.ext");
  }

  @Test
  void servesHttpsFromPemFilesToClientsTrustingItsCa() throws Exception {
    try (ServerFixture f =
        new ServerFixture(
            dir, c -> c.withTls(dir.resolve("server.pem"), dir.resolve("server.key")))) {
      URI uri = f.server.uri();
      assertThat(uri.getScheme()).isEqualTo("https");
      ControllerClient client =
          new ControllerClient(
              uri,
              ServerFixture.TOKEN,
              ControllerClient.trusting(dir.resolve("ca.pem")),
              Duration.ofSeconds(10));
      assertThat(client.healthy()).isTrue();
      assertThat(client.apps()).extracting(AppView::name).containsExactly("shop");
      ControllerClient wrongToken =
          new ControllerClient(
              uri,
              "not-the-token-not-the-token",
              ControllerClient.trusting(dir.resolve("ca.pem")),
              Duration.ofSeconds(10));
      assertThatThrownBy(wrongToken::apps).hasMessageContaining("bearer token");

      // a client that trusts another CA does not talk to it, and is told it will not help to retry
      ControllerClient stranger =
          new ControllerClient(
              uri,
              ServerFixture.TOKEN,
              ControllerClient.trusting(dir.resolve("other-ca.pem")),
              Duration.ofSeconds(10));
      assertThat(stranger.healthy()).isFalse();
      assertThatThrownBy(stranger::apps)
          .isInstanceOfSatisfying(
              ControllerException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(StampException.Kind.FAILED);
                assertThat(e.retryable()).isFalse();
              })
          .hasMessageContaining(uri.toString());

      // plain HTTP to the TLS port gets no answer a client could take for the API
      HttpClient plain = HttpClient.newHttpClient();
      assertThatThrownBy(
              () ->
                  plain
                      .send(
                          HttpRequest.newBuilder(
                                  URI.create("http://127.0.0.1:" + f.server.port() + "/healthz"))
                              .build(),
                          HttpResponse.BodyHandlers.ofString())
                      .statusCode())
          .isInstanceOf(IOException.class);
    }
  }

  @Test
  void aHalfTlsConfigAndOldKeysAreRefused() throws Exception {
    Path token = ServerFixture.tokenFile(dir);
    ControllerServer.Config half =
        new ControllerServer.Config(
            "127.0.0.1",
            0,
            token,
            java.util.Optional.of(dir.resolve("server.pem")),
            java.util.Optional.empty(),
            null,
            16,
            4);
    assertThatThrownBy(
            () -> ControllerServer.start(half, new FakeOperations(), new ControllerMetrics()))
        .hasMessageContaining("both a certificate and a key");
    openssl("genrsa", "-traditional", "-out", "old.key", "2048");
    assertThatThrownBy(
            () ->
                ControllerServer.start(
                    ControllerServer.Config.of("127.0.0.1", 0, token)
                        .withTls(dir.resolve("server.pem"), dir.resolve("old.key")),
                    new FakeOperations(),
                    new ControllerMetrics()))
        .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
  }
}
