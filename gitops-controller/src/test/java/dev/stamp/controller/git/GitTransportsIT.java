package dev.stamp.controller.git;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.stamp.controller.ControllerException;
import dev.stamp.runtime.StampException.Kind;
import dev.stamp.testkit.TestNetworks;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** fetch and push over git://, http:// and ssh:// against real servers on 127.0.0.1. */
class GitTransportsIT {

  static final String PASSWORD = "hunter2-Secret-Token";

  @TempDir Path tmp;
  Upstream up;
  Path mirrors;

  @BeforeEach
  void setUp() throws Exception {
    up = Upstream.create(tmp);
    mirrors = Files.createDirectories(tmp.resolve("mirrors"));
  }

  /** fetch, snapshot, revert pushed back, and the CLI sees the pushed tree. */
  void roundTrip(RepoSource source) throws Exception {
    up.commit("v1", Map.of("apps/web/compose.yaml", "image: web:1\n"));
    String bad = up.commit("v2", Map.of("apps/web/compose.yaml", "image: web:2\n"));
    try (GitRepository git = GitRepository.open(mirrors, source)) {
      FetchResult f = git.fetch();
      assertThat(f.commit()).isEqualTo(bad);
      assertThat(git.snapshot(f.commit()).read("apps/web/compose.yaml"))
          .map(b -> new String(b, StandardCharsets.UTF_8))
          .contains("image: web:2\n");
      String reverted = git.revert(bad, "Stamp", "stamp@example.com", null);
      assertThat(up.inBare("rev-parse", "main").strip()).isEqualTo(reverted);
      assertThat(up.inBare("show", "main:apps/web/compose.yaml")).isEqualTo("image: web:1\n");
    }
  }

  @Test
  void gitDaemonFetchAndPush() throws Exception {
    try (GitDaemon daemon = new GitDaemon(tmp)) {
      roundTrip(RepoSource.of("shop", daemon.url("upstream.git")));
    }
  }

  @Test
  void httpWithBasicCredentialsFromAFile() throws Exception {
    Path passwordFile = Files.writeString(tmp.resolve("password"), PASSWORD + "\n");
    try (GitHttpServer http = new GitHttpServer(tmp, "bot", PASSWORD)) {
      roundTrip(
          RepoSource.of("shop", http.url("upstream.git"))
              .withCredentials(GitCredentials.basic("bot", passwordFile)));
    }
    assertThat(Files.readString(mirrors.resolve("shop.git/config"))).doesNotContain(PASSWORD);
  }

  @Test
  void httpWithAWrongPasswordFailsWithoutRetryAndWithoutThePassword() throws Exception {
    up.commit("v1", Map.of("a", "1"));
    Path passwordFile = Files.writeString(tmp.resolve("password"), "wrong-" + PASSWORD);
    try (GitHttpServer http = new GitHttpServer(tmp, "bot", PASSWORD);
        GitRepository git =
            GitRepository.open(
                mirrors,
                RepoSource.of("shop", http.url("upstream.git"))
                    .withCredentials(GitCredentials.basic("bot", passwordFile)))) {
      assertThatThrownBy(git::fetch)
          .isInstanceOfSatisfying(
              ControllerException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(Kind.FAILED);
                assertThat(e.retryable()).isFalse();
                assertThat(e.getMessage())
                    .contains(http.url("upstream.git"))
                    .contains("authentication failed")
                    .contains(passwordFile.toString())
                    .doesNotContain(PASSWORD);
              });
      assertThat(http.refused.get()).isPositive();
    }
  }

  @Test
  void http401FromWireMockIsAnAuthenticationFailureAndTheCredentialsWereSent() throws Exception {
    Path tokenFile = Files.writeString(tmp.resolve("token"), PASSWORD + "\n");
    WireMockServer wm =
        new WireMockServer(
            WireMockConfiguration.options().bindAddress("127.0.0.1").port(TestNetworks.freePort()));
    wm.start();
    try {
      wm.stubFor(
          any(anyUrl())
              .willReturn(
                  aResponse()
                      .withStatus(401)
                      .withHeader("WWW-Authenticate", "Basic realm=\"git\"")));
      String url = "http://127.0.0.1:" + wm.port() + "/org/shop.git";
      try (GitRepository git =
          GitRepository.open(
              mirrors,
              RepoSource.of("shop", url).withCredentials(GitCredentials.token(tokenFile)))) {
        assertThatThrownBy(git::fetch)
            .isInstanceOfSatisfying(
                ControllerException.class,
                e -> {
                  assertThat(e.kind()).isEqualTo(Kind.FAILED);
                  assertThat(e.retryable()).isFalse();
                  assertThat(e.getMessage()).contains(url).doesNotContain(PASSWORD);
                });
      }
      List<LoggedRequest> requests = wm.findAll(anyRequestedFor(anyUrl()));
      String expected =
          "Basic "
              + Base64.getEncoder()
                  .encodeToString(
                      (GitCredentials.TOKEN_USER + ":" + PASSWORD)
                          .getBytes(StandardCharsets.UTF_8));
      assertThat(requests)
          .anySatisfy(r -> assertThat(r.getHeader("Authorization")).isEqualTo(expected));

      // a server error is worth retrying
      wm.resetAll();
      wm.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(503)));
      try (GitRepository git = GitRepository.open(mirrors, RepoSource.of("shop2", url))) {
        assertThatThrownBy(git::fetch)
            .isInstanceOfSatisfying(
                ControllerException.class,
                e -> {
                  assertThat(e.kind()).isEqualTo(Kind.FAILED);
                  assertThat(e.retryable()).isTrue();
                  assertThat(e.getMessage()).contains(url);
                });
      }
    } finally {
      wm.stop();
    }
  }

  @Test
  void sshWithAKeyAndKnownHosts() throws Exception {
    try (GitSshServer ssh = new GitSshServer(tmp, Files.createDirectories(tmp.resolve("ssh")))) {
      Path knownHosts = Files.writeString(tmp.resolve("known_hosts"), ssh.knownHostsLine());
      roundTrip(
          RepoSource.of("shop", ssh.url("upstream.git"))
              .withCredentials(GitCredentials.ssh(ssh.clientKeyFile, knownHosts)));
    }
  }

  @Test
  void sshRefusesAnUnknownHostKeyAndNeverAddsIt() throws Exception {
    up.commit("v1", Map.of("a", "1"));
    try (GitSshServer ssh = new GitSshServer(tmp, Files.createDirectories(tmp.resolve("ssh")))) {
      Path knownHosts =
          Files.writeString(
              tmp.resolve("known_hosts"), "[127.0.0.1]:1 " + ssh.knownHostsLine().split(" ", 2)[1]);
      String before = Files.readString(knownHosts);
      try (GitRepository git =
          GitRepository.open(
              mirrors,
              RepoSource.of("shop", ssh.url("upstream.git"))
                  .withCredentials(GitCredentials.ssh(ssh.clientKeyFile, knownHosts)))) {
        assertThatThrownBy(git::fetch)
            .isInstanceOfSatisfying(
                ControllerException.class,
                e -> {
                  assertThat(e.kind()).isEqualTo(Kind.FAILED);
                  assertThat(e.retryable()).isFalse();
                  assertThat(e.getMessage())
                      .contains(ssh.url("upstream.git"))
                      .contains("unknown")
                      .contains(knownHosts.toString());
                });
      }
      assertThat(Files.readString(knownHosts)).isEqualTo(before);
    }
  }

  @Test
  void sshWithAKeyTheServerDoesNotKnowIsAnAuthenticationFailure() throws Exception {
    up.commit("v1", Map.of("a", "1"));
    try (GitSshServer ssh = new GitSshServer(tmp, Files.createDirectories(tmp.resolve("ssh")));
        GitSshServer other = new GitSshServer(tmp, Files.createDirectories(tmp.resolve("other")))) {
      Path knownHosts = Files.writeString(tmp.resolve("known_hosts"), ssh.knownHostsLine());
      try (GitRepository git =
          GitRepository.open(
              mirrors,
              RepoSource.of("shop", ssh.url("upstream.git"))
                  .withCredentials(GitCredentials.ssh(other.clientKeyFile, knownHosts)))) {
        assertThatThrownBy(git::fetch)
            .isInstanceOfSatisfying(
                ControllerException.class,
                e -> {
                  assertThat(e.kind()).isEqualTo(Kind.FAILED);
                  assertThat(e.retryable()).isFalse();
                  assertThat(e.getMessage())
                      .contains(ssh.url("upstream.git"))
                      .contains("authentication failed");
                });
      }
    }
  }

  @Test
  void sshWithoutConfiguredCredentialsNeverTrustsTheHost() throws Exception {
    up.commit("v1", Map.of("a", "1"));
    try (GitSshServer ssh = new GitSshServer(tmp, Files.createDirectories(tmp.resolve("ssh")));
        GitRepository git =
            GitRepository.open(mirrors, RepoSource.of("shop", ssh.url("upstream.git")))) {
      assertThatThrownBy(git::fetch)
          .isInstanceOfSatisfying(
              ControllerException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(Kind.FAILED);
                assertThat(e.retryable()).isFalse();
                assertThat(e.getMessage()).contains("no known_hosts file is configured");
              });
    }
  }
}
