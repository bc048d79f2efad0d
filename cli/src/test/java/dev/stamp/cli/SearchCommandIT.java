package dev.stamp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.stamp.testkit.RegistryFixture;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code stamp search} against a real registry's catalog, and one without a catalog. */
@Timeout(120)
class SearchCommandIT {

  static RegistryFixture registry;

  @TempDir Path root;

  StringWriter out = new StringWriter();
  StringWriter err = new StringWriter();

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

  int stamp(String... args) {
    out = new StringWriter();
    err = new StringWriter();
    CommandLine cli = StampCli.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void listsTheCatalogsRepositoriesThatContainTheTerm() throws Exception {
    for (String repo : new String[] {"team/web-app:1", "team/web-proxy:2", "tools/db:1"}) {
      String ref = registry.host() + "/" + repo;
      RegistryCommandsIT.putImage(root, ref, 100 + repo.length());
      assertThat(stamp("--root", root.toString(), "push", "-q", ref)).as(err.toString()).isZero();
    }
    String r = root.toString();

    assertThat(stamp("--root", r, "search", "--registry", registry.host(), "WEB")).isZero();
    assertThat(out.toString().lines())
        .containsExactly(
            "NAME", registry.host() + "/team/web-app", registry.host() + "/team/web-proxy");

    assertThat(stamp("--root", r, "search", "--registry", registry.host(), "nothing-like-it"))
        .isZero();
    assertThat(out.toString().lines()).containsExactly("NAME");
    assertThat(err.toString()).isEmpty();
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
      assertThat(stamp("--root", root.toString(), "search", "--registry", host, "web"))
          .isEqualTo(1);
      assertThat(err.toString().lines())
          .containsExactly(
              "stamp: search: registry " + host + " offers no catalog (GET /v2/_catalog: 404)");
      assertThat(out.toString()).isEmpty();
    } finally {
      server.stop(0);
    }
  }
}
