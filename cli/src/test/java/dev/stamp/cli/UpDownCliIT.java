package dev.stamp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.agent.api.ServiceStatus;
import dev.stamp.testkit.BusyboxRootfs;
import dev.stamp.testkit.HostCommand;
import dev.stamp.testkit.RequiresRoot;
import dev.stamp.testkit.StampCliProcess;
import dev.stamp.testkit.TestNetworks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code stamp up -f DIR/compose.yaml} and {@code stamp down} against a real {@code stamp agent} on
 * the same state root: one service built from DIR's Dockerfile, one by {@code image:} from the
 * store, both serving on their published ports; a second {@code up} after one file changed replaces
 * only the service it belongs to; {@code down} removes the app's services and leaves another app's
 * alone; without an agent, {@code up} fails with a clear message.
 */
@RequiresRoot
class UpDownCliIT {

  static final String TOKEN = "up-down-cli-it-agent-token-0123456789";

  @TempDir Path tmp;
  StampAgentProcess agent;
  int webPort;
  int cachePort;
  int otherPort;

  @BeforeEach
  void setUp() throws Exception {
    Assumptions.assumeTrue(BusyboxRootfs.available(), "busybox-static");
    Files.createDirectories(tmp.resolve("agent"));
    agent = StampAgentProcess.prepare(tmp.resolve("agent"), "base:1", TOKEN);
    agent.patience(Duration.ofSeconds(120));
    webPort = TestNetworks.freePort();
    cachePort = TestNetworks.freePort();
    otherPort = TestNetworks.freePort();
  }

  @AfterEach
  void tearDown() throws Exception {
    agent.close();
  }

  /** {@code stamp --root AGENT_ROOT ARGS…}: the CLI on the agent's own state root. */
  HostCommand.Result stamp(String... args) {
    return new StampCliProcess(agent.root).timeout(Duration.ofSeconds(240)).run(args);
  }

  /**
   * DIR/compose.yaml of app {@code name}: web built from DIR, cache from {@code image: base:1}
   * (writing its page to a named volume).
   */
  Path app(String name, int web, int cache) throws Exception {
    Path dir = tmp.resolve(name);
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("Dockerfile"), "FROM base:1\nCOPY index.html /srv/index.html\n");
    Files.writeString(dir.resolve("index.html"), name + " v1\n");
    StringBuilder yaml =
        new StringBuilder("name: ")
            .append(name)
            .append("\nservices:\n")
            .append("  web:\n")
            .append("    build: .\n")
            .append("    command: [httpd, -f, -p, '80', -h, /srv]\n")
            .append("    ports: ['127.0.0.1:")
            .append(web)
            .append(":80']\n");
    if (cache != 0) {
      yaml.append("  cache:\n")
          .append("    image: base:1\n")
          .append(
              "    command: [sh, -c, 'mkdir -p /w && echo cache > /w/index.html"
                  + " && exec httpd -f -p 8080 -h /w']\n")
          .append("    volumes: ['cache:/w']\n") // its page: not drift, as a write to /w would be
          .append("    ports: ['127.0.0.1:")
          .append(cache)
          .append(":8080']\n")
          .append("volumes:\n  cache: {}\n");
    }
    Files.writeString(dir.resolve("compose.yaml"), yaml.toString());
    return dir;
  }

  List<String> containers(String service) throws Exception {
    List<String> ids =
        agent.client.service(service).orElseThrow().replicas().stream()
            .map(ServiceStatus.Replica::container)
            .toList();
    agent.containers.addAll(ids);
    return ids;
  }

  @Test
  void upRunsTheAppUpAgainReplacesWhatChangedDownRemovesOnlyIt() throws Exception {
    agent.start();
    Path other = app("other", otherPort, 0);
    String upOther = stamp("up", "-f", other.resolve("compose.yaml").toString()).ok();
    assertThat(upOther).contains("other: succeeded");
    List<String> otherWeb = containers("other.web");

    Path shop = app("shop", webPort, cachePort);
    String up = stamp("up", "-f", shop.resolve("compose.yaml").toString()).ok();
    assertThat(up).contains("shop/web: build").contains("shop: succeeded");
    assertThat(agent.page(webPort)).isEqualTo("shop v1");
    assertThat(agent.page(cachePort)).isEqualTo("cache");
    List<String> web1 = containers("shop.web");
    List<String> cache1 = containers("shop.cache");
    assertThat(web1).hasSize(1);
    assertThat(cache1).hasSize(1);

    // one file of web's build context changed: web is rebuilt and replaced, cache is not touched
    Files.writeString(shop.resolve("index.html"), "shop v2\n");
    String again = stamp("up", "-f", shop.resolve("compose.yaml").toString()).ok();
    assertThat(again).contains("shop/web: build").contains("shop: succeeded");
    assertThat(agent.page(webPort)).isEqualTo("shop v2");
    assertThat(containers("shop.web")).doesNotContainAnyElementsOf(web1);
    assertThat(containers("shop.cache")).as(again).isEqualTo(cache1);
    assertThat(agent.page(cachePort)).isEqualTo("cache");

    // unchanged: the image of the earlier run is reused by its build key, nothing replaced
    String same = stamp("up", "-f", shop.resolve("compose.yaml").toString()).ok();
    assertThat(same)
        .contains("shop/web: reuse")
        .doesNotContain("shop/web: build")
        .contains("shop: succeeded")
        .contains("2 unchanged");
    assertThat(containers("shop.cache")).isEqualTo(cache1);

    // down: the app's services go, the other app keeps serving from the same container
    String down = stamp("down", "-f", shop.resolve("compose.yaml").toString()).ok();
    assertThat(down).contains("removed shop.web").contains("removed shop.cache");
    agent.waitFor(
        () ->
            agent.client.service("shop.web").isEmpty()
                && agent.client.service("shop.cache").isEmpty(),
        "shop's services removed");
    assertThat(agent.client.services())
        .extracting(ServiceStatus::name)
        .containsExactly("other.web");
    assertThat(containers("other.web")).isEqualTo(otherWeb);
    assertThat(agent.page(otherPort)).isEqualTo("other v1");
  }

  @Test
  void upWithoutAnAgentFailsWithAClearMessage() throws Exception {
    Path shop = app("shop", webPort, cachePort);
    HostCommand.Result r = stamp("up", "-f", shop.resolve("compose.yaml").toString());
    assertThat(r.code()).as(r.out() + r.err()).isIn(1, 2);
    assertThat(r.err())
        .contains("no agent on state root " + agent.root)
        .contains("stamp agent")
        .doesNotContain("\tat ");
    assertThat(r.out()).doesNotContain("shop/web");
  }
}
