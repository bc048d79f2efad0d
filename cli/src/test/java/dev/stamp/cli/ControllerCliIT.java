package dev.stamp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stamp.testkit.BusyboxRootfs;
import dev.stamp.testkit.GitOpsRepo;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The controller verbs as a user runs them, each CLI call its own JVM: {@code stamp controller -c
 * FILE} over a real {@code stamp agent} and a bare Git repository; {@code stamp status}, {@code
 * history}, {@code plan} (text and JSON), {@code sync --rev} (exit 0 when synced, 1 when the
 * rollout fails), {@code rollback} (a revert commit on the branch); a wrong token and a bad config
 * file fail with a clear message and the documented exit code, no stack trace.
 */
@RequiresRoot
class ControllerCliIT {

  static final String AGENT_TOKEN = "controller-cli-it-agent-token-0123456789";

  @TempDir Path tmp;
  StampAgentProcess agent;
  StampControllerProcess ctl;
  int webPort;
  int apiPort;

  @AfterEach
  void tearDown() throws Exception {
    try {
      if (ctl != null) {
        ctl.close();
      }
    } finally {
      if (agent != null) {
        agent.close();
      }
    }
  }

  void startBoth() throws Exception {
    startBoth("");
  }

  /** The agent, and a controller whose repository entry has {@code repoExtra} added. */
  void startBoth(String repoExtra) throws Exception {
    Assumptions.assumeTrue(BusyboxRootfs.available(), "busybox-static");
    Files.createDirectories(tmp.resolve("agent"));
    agent = StampAgentProcess.prepare(tmp.resolve("agent"), "base:1", AGENT_TOKEN);
    agent.patience(Duration.ofSeconds(180)).start();
    ctl = StampControllerProcess.prepare(tmp.resolve("ctl"), agent, repoExtra);
    webPort = TestNetworks.freePort();
    apiPort = TestNetworks.freePort();
  }

  /** web and api; {@code webCheck} is web's health check command (a YAML flow list). */
  String compose(String webCheck) {
    return "services:\n"
        + "  web:\n"
        + "    build: ./web\n"
        + "    command: [httpd, -f, -p, '80', -h, /srv]\n"
        + "    ports: ['127.0.0.1:"
        + webPort
        + ":80']\n"
        + "    healthcheck: {test: "
        + webCheck
        + ", interval: 1s, retries: 3}\n"
        + "    deploy: {resources: {limits: {memory: 64m, pids: 100}}}\n"
        + "  api:\n"
        + "    build: ./api\n"
        + "    command: [httpd, -f, -p, '8080', -h, /srv]\n"
        + "    ports: ['127.0.0.1:"
        + apiPort
        + ":8080']\n"
        + "    deploy: {resources: {limits: {memory: 64m, pids: 100}}}\n";
  }

  static final String GOOD_CHECK = "[CMD, wget, -q, -O, /dev/null, 'http://127.0.0.1/index.html']";

  /** {@code stamp ARGS…} that must exit {@code code}; its stdout (stderr too on failure). */
  static String expect(int code, HostCommand.Result r, String what) {
    assertThat(r.code()).as(what + "\nstdout: " + r.out() + "\nstderr: " + r.err()).isEqualTo(code);
    assertThat(r.err()).as(what + ": no stack trace").doesNotContain("\tat ");
    return r.out();
  }

  @Test
  void aSyncWindowRefusesStampSyncUntilTheOverrideFlag() throws Exception {
    // a deny window open at every moment (each minute, for two), that lets a person through
    startBoth(
        ", syncWindows: [{kind: deny, schedule: '0 * * * * ?', duration: 2m, apps: [shop],"
            + " manualSync: true}]");
    ctl.write("shop/compose.yaml", compose(GOOD_CHECK));
    ctl.write("shop/web/Dockerfile", "FROM base:1\nCOPY index.html /srv/index.html\n");
    ctl.write("shop/web/index.html", "v1\n");
    ctl.write("shop/api/Dockerfile", "FROM base:1\nCOPY api.txt /srv/api.txt\n");
    ctl.write("shop/api/api.txt", "api\n");
    ctl.commit("shop: first release");
    ctl.start(); // the start-up sync is a person's: the window lets it through
    agent.waitFor(() -> "v1".equals(pageOrNull()), "v1 serving after the start-up sync");

    ctl.write("shop/web/index.html", "v2\n");
    ctl.commit("web: v2");
    HostCommand.Result refused = ctl.stamp("sync", "shop");
    expect(1, refused, "stamp sync shop inside a deny window");
    assertThat(refused.err())
        .contains("the sync windows of repository shop hold syncs now until ")
        .contains("stamp sync shop --override-window");
    assertThat(agent.page(webPort)).isEqualTo("v1");

    String forced =
        expect(0, ctl.stamp("sync", "shop", "--override-window"), "stamp sync --override-window");
    assertThat(forced).containsPattern("shop: release \\d+ succeeded");
    assertThat(agent.page(webPort)).isEqualTo("v2");
  }

  String pageOrNull() {
    try {
      return agent.page(webPort);
    } catch (Exception e) {
      return null;
    }
  }

  @Test
  void statusHistoryPlanSyncAndRollbackThroughTheCli() throws Exception {
    startBoth();
    ctl.write("shop/compose.yaml", compose(GOOD_CHECK));
    ctl.write("shop/web/Dockerfile", "FROM base:1\nCOPY index.html /srv/index.html\n");
    ctl.write("shop/web/index.html", "v1\n");
    ctl.write("shop/api/Dockerfile", "FROM base:1\nCOPY api.txt /srv/api.txt\n");
    ctl.write("shop/api/api.txt", "api\n");
    String v1 = ctl.commit("shop: first release");
    ctl.start();

    String synced = expect(0, ctl.stamp("sync", "shop", "--rev", v1), "stamp sync --rev v1");
    assertThat(synced).containsPattern("shop: release \\d+ succeeded");
    assertThat(agent.page(webPort)).isEqualTo("v1");

    String all = expect(0, ctl.stamp("status"), "stamp status");
    assertThat(all.lines().findFirst().orElseThrow()).contains("APP").contains("STATE");
    assertThat(all).containsPattern("shop +synced +" + v1.substring(0, 12));
    String one = expect(0, ctl.stamp("status", "shop"), "stamp status shop");
    assertThat(one)
        .contains("state:    synced")
        .contains("desired:  " + v1.substring(0, 12))
        .contains("service web: ")
        .contains("service api: ")
        .contains("  on a: ");
    String history = expect(0, ctl.stamp("history", "shop"), "stamp history shop");
    assertThat(history.lines().findFirst().orElseThrow()).contains("RELEASE").contains("STATE");
    assertThat(history.lines().skip(1).toList())
        .isNotEmpty()
        .allSatisfy(l -> assertThat(l).contains("succeeded").contains(v1.substring(0, 12)));

    // a change to web: the plan builds web only and replaces it; api's image is reused
    ctl.write("shop/web/index.html", "v2\n");
    String v2 = ctl.commit("web: v2");
    String plan = expect(0, ctl.stamp("plan", "shop"), "stamp plan shop");
    assertThat(plan).startsWith("app shop at " + v2.substring(0, 12));
    assertThat(plan).containsPattern("image web: build");
    assertThat(plan).doesNotContainPattern("image api: build");
    assertThat(plan).contains("replace web on a").contains("unchanged api on a");
    JsonNode json =
        new ObjectMapper()
            .readTree(
                expect(
                    0,
                    ctl.stamp("plan", "shop", "--format", "json"),
                    "stamp plan shop --format json"));
    assertThat(json.get("app").asText()).isEqualTo("shop");
    assertThat(json.get("commit").asText()).isEqualTo(v2);
    assertThat(json.get("problems")).isEmpty();
    assertThat(json.get("builds").findValuesAsText("service")).contains("web", "api");
    java.util.Map<String, String> actions = new java.util.TreeMap<>();
    json.get("changes")
        .forEach(c -> actions.put(c.get("service").asText(), c.get("action").asText()));
    assertThat(actions)
        .containsExactlyEntriesOf(
            new java.util.TreeMap<>(java.util.Map.of("api", "unchanged", "web", "replace")));

    String toV2 = expect(0, ctl.stamp("sync", "shop", "--rev", v2), "stamp sync --rev v2");
    assertThat(toV2).containsPattern("shop: release \\d+ succeeded");
    assertThat(agent.page(webPort)).isEqualTo("v2");
    // the same commit again: sync follows its own (new) release, not the app's earlier state
    long before = lastRelease();
    String again = expect(0, ctl.stamp("sync", "shop", "--rev", v2), "stamp sync --rev v2 again");
    assertThat(again).contains("shop: release " + lastRelease() + " succeeded");
    assertThat(lastRelease()).isGreaterThan(before);

    // a health check that never passes (v3 serves no /index.html): the rollout fails, sync exits
    // 1, v2 keeps serving
    ctl.write("shop/web/Dockerfile", "FROM base:1\nCOPY index.html /srv/moved.html\n");
    ctl.write("shop/web/index.html", "v3\n");
    String v3 = ctl.commit("web: v3 that never gets healthy");
    HostCommand.Result failed = ctl.stamp("sync", "shop", "--rev", v3);
    expect(1, failed, "stamp sync --rev v3 (unhealthy)");
    assertThat(failed.out()).containsPattern("shop: release \\d+ (failed|partial|rolled-back): ");
    assertThat(agent.page(webPort)).isEqualTo("v2");
    assertThat(expect(0, ctl.stamp("history", "shop", "-n", "1"), "history -n 1"))
        .containsPattern("(failed|rolled-back|partial) +" + v3.substring(0, 12));

    // rollback to the first release: a revert commit on the branch (v1's tree), synced; v1 serves
    String first =
        expect(0, ctl.stamp("history", "shop"), "history")
            .strip()
            .lines()
            .reduce((a, b) -> b)
            .orElseThrow();
    String rolled =
        expect(
            0,
            ctl.stamp("rollback", "shop", "--to", first.strip().split(" +")[0]),
            "stamp rollback shop --to FIRST");
    assertThat(rolled).containsPattern("shop: release \\d+ succeeded");
    String subject = GitOpsRepo.git(ctl.bare, "log", "-1", "--format=%s", "main");
    assertThat(subject).startsWith("Roll back shop to release");
    String head = GitOpsRepo.git(ctl.bare, "rev-parse", "main");
    assertThat(head).isNotIn(v1, v2, v3);
    assertThat(GitOpsRepo.git(ctl.bare, "rev-parse", "main~1")).isEqualTo(v3);
    assertThat(GitOpsRepo.git(ctl.bare, "rev-parse", "main^{tree}"))
        .isEqualTo(GitOpsRepo.git(ctl.bare, "rev-parse", v1 + "^{tree}"));
    assertThat(agent.page(webPort)).isEqualTo("v1");
    assertThat(expect(0, ctl.stamp("status", "shop"), "status after the rollback"))
        .contains("desired:  " + head.substring(0, 12));

    // a wrong token: refused with a clear message, exit 1 or 2, no stack trace
    Path wrong = StampControllerProcess.secret(tmp.resolve("wrong-token"), "not-the-token-at-all");
    for (List<String> verb :
        List.of(
            List.of("status"),
            List.of("status", "shop"),
            List.of("history", "shop"),
            List.of("sync", "shop"))) {
      List<String> args = new java.util.ArrayList<>(verb);
      args.add("--token-file");
      args.add(wrong.toString());
      HostCommand.Result r = ctl.stamp(args.toArray(String[]::new));
      assertThat(r.code()).as(verb + ": " + r.err()).isIn(1, 2);
      assertThat(r.err())
          .as(verb + " with a wrong token")
          .containsIgnoringCase("token")
          .doesNotContain("\tat ")
          .doesNotContain("Exception");
    }
  }

  /** The newest release's id, from {@code stamp history shop -n 1}. */
  long lastRelease() {
    String row =
        expect(0, ctl.stamp("history", "shop", "-n", "1"), "history -n 1")
            .lines()
            .skip(1)
            .findFirst()
            .orElseThrow();
    return Long.parseLong(row.strip().split(" +")[0]);
  }

  @Test
  void aConfigFileWithAnErrorExits2NamingFileLineColumnAndField() throws Exception {
    Path root = tmp.resolve("root");
    Path token = StampControllerProcess.secret(tmp.resolve("api-token"), "some-api-token-0123456");
    Path config = tmp.resolve("controller.yaml");
    Files.writeString(
        config,
        "api: {listen: '127.0.0.1:0', tokenFile: "
            + token
            + "}\n"
            + "repositories:\n"
            + "  - {name: shop, url: shop.git}\n");
    HostCommand.Result r = new StampCliProcess(root).run("controller", "-c", config.toString());
    assertThat(r.code()).as(r.err()).isEqualTo(2);
    assertThat(r.err())
        .containsPattern("controller\\.yaml:3:\\d+: repositories\\[0\\]\\.url: ")
        .doesNotContain("\tat ");
    assertThat(root.resolve("controller/api.json")).doesNotExist();
  }
}
