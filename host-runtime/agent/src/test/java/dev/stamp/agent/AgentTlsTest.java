package dev.stamp.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.agent.api.AgentClient;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.http.Pem;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS and mTLS from PEM files made by openssl, as an operator would make them. */
class AgentTlsTest {

  @TempDir static Path dir;

  static void openssl(String... args) throws Exception {
    List<String> cmd = new java.util.ArrayList<>(List.of("openssl"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as(String.join(" ", cmd) + "\n" + out).isZero();
  }

  @BeforeAll
  static void certificates() throws Exception {
    openssl(
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=stamp test CA");
    for (String who : List.of("server", "client", "stranger")) {
      openssl(
          "req",
          "-newkey",
          "ec",
          "-pkeyopt",
          "ec_paramgen_curve:P-256",
          "-nodes",
          "-keyout",
          who + ".key",
          "-out",
          who + ".csr",
          "-subj",
          "/CN=" + who);
    }
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
    openssl(
        "x509",
        "-req",
        "-in",
        "client.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "client.pem",
        "-days",
        "2");
    // a client certificate signed by nobody the agent trusts
    openssl(
        "x509",
        "-req",
        "-in",
        "stranger.csr",
        "-signkey",
        "stranger.key",
        "-out",
        "stranger.pem",
        "-days",
        "2");
    Path token = dir.resolve("token");
    Files.writeString(token, AgentApiTest.TOKEN);
    Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
  }

  AgentServer start(boolean mtls) throws Exception {
    return AgentServer.start(
        new AgentConfig(
            new StampRoot(dir.resolve("root")),
            "127.0.0.1",
            0,
            dir.resolve("token"),
            Optional.of(dir.resolve("server.pem")),
            Optional.of(dir.resolve("server.key")),
            mtls ? Optional.of(dir.resolve("ca.pem")) : Optional.empty(),
            List.of()),
        new AgentApiTest.RecordingEngine(),
        new EventLog(Clock.systemUTC()),
        new AgentMetrics());
  }

  static SSLContext context(String clientName) throws Exception {
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(Pem.trustStore(dir.resolve("ca.pem")));
    KeyManagerFactory kmf = null;
    if (clientName != null) {
      char[] pw = "pw".toCharArray();
      KeyStore ks =
          Pem.keyStore(dir.resolve(clientName + ".pem"), dir.resolve(clientName + ".key"), pw);
      kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, pw);
    }
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return ctx;
  }

  @Test
  void servesHttpsFromPemFiles() throws Exception {
    try (AgentServer server = start(false)) {
      assertThat(server.uri().getScheme()).isEqualTo("https");
      AgentClient client =
          new AgentClient(server.uri(), AgentApiTest.TOKEN, context(null), Duration.ofSeconds(10));
      assertThat(client.healthy()).isTrue();
      assertThat(client.services()).isEmpty();
      // plain HTTP to the TLS port gets no answer a client could take for the API
      HttpClient plain = HttpClient.newHttpClient();
      assertThatThrownBy(
              () ->
                  plain
                      .send(
                          HttpRequest.newBuilder(
                                  java.net.URI.create(
                                      "http://127.0.0.1:" + server.port() + "/healthz"))
                              .build(),
                          HttpResponse.BodyHandlers.ofString())
                      .statusCode())
          .isInstanceOf(IOException.class);
    }
  }

  @Test
  void mutualTlsRefusesClientsWithoutACertificateFromTheClientCa() throws Exception {
    try (AgentServer server = start(true)) {
      AgentClient trusted =
          new AgentClient(
              server.uri(), AgentApiTest.TOKEN, context("client"), Duration.ofSeconds(10));
      assertThat(trusted.services()).isEmpty();
      for (String who : new String[] {null, "stranger"}) {
        AgentClient other =
            new AgentClient(server.uri(), AgentApiTest.TOKEN, context(who), Duration.ofSeconds(10));
        assertThat(other.healthy()).as("client certificate %s", who).isFalse();
        assertThatThrownBy(other::services)
            .as("client certificate %s", who)
            .hasMessageContaining(server.uri().toString());
      }
    }
  }

  @Test
  void oldStyleKeysAreRefusedWithTheCommandThatConvertsThem() throws Exception {
    openssl("genrsa", "-traditional", "-out", "old.key", "2048");
    assertThatThrownBy(() -> Pem.privateKey(dir.resolve("old.key")))
        .hasMessageContaining("RSA PRIVATE KEY")
        .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
  }
}
