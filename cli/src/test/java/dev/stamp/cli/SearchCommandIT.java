package dev.stamp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.stamp.testkit.RegistryFixture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code stamp search} against a real registry's catalog, and one without a catalog. */
@Timeout(120)
class SearchCommandIT {

  final StampCliInProcess cli = new StampCliInProcess(() -> null);

  static RegistryFixture registry;

  @TempDir Path root;

  @BeforeAll
  static void start() {
    registry = RegistryFixture.start();
  }

  @AfterAll
  static void stop() {
    if (registry != null) {
      registry.close();
    }
  }

  @Test
  void listsTheCatalogsRepositoriesThatContainTheTerm() throws Exception {
    for (String repo : new String[] {"team/web-app:1", "team/web-proxy:2", "tools/db:1"}) {
      String ref = registry.host() + "/" + repo;
      RegistryCommandsIT.putImage(root, ref, 100 + repo.length());
      assertThat(cli.code("--root", root.toString(), "push", "-q", ref)).as(cli.err()).isZero();
    }
    String r = root.toString();

    assertThat(cli.code("--root", r, "search", "--registry", registry.host(), "WEB")).isZero();
    assertThat(cli.out().lines())
        .containsExactly(
            "NAME", registry.host() + "/team/web-app", registry.host() + "/team/web-proxy");

    assertThat(cli.code("--root", r, "search", "--registry", registry.host(), "nothing-like-it"))
        .isZero();
    assertThat(cli.out().lines()).containsExactly("NAME");
    assertThat(cli.err()).isEmpty();
  }

  @Test
  void aRegistryWithoutACatalogIsOneLineAndExitOne() throws Exception {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          int status = exchange.getRequestURI().getPath().equals("/v2/") ? 200 : 404;
          exchange.sendResponseHeaders(status, -1);
          exchange.close();
        });
    server.start();
    try {
      String host = "127.0.0.1:" + server.getAddress().getPort();
      assertThat(cli.code("--root", root.toString(), "search", "--registry", host, "web"))
          .isEqualTo(1);
      assertThat(cli.err().lines())
          .containsExactly(
              "stamp: search: registry " + host + " offers no catalog (GET /v2/_catalog: 404)");
      assertThat(cli.out()).isEmpty();
    } finally {
      server.stop(0);
    }
  }
}
