package dev.stamp.controller.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.controller.api.AppView;
import dev.stamp.controller.api.ControllerClient;
import dev.stamp.controller.git.GitHttpServer;
import dev.stamp.controller.store.AppState;
import dev.stamp.controller.store.AppStatus;
import dev.stamp.controller.store.Release;
import dev.stamp.controller.store.StoredEvent;
import dev.stamp.testkit.GitOpsRepo;
import dev.stamp.testkit.RequiresRoot;
import dev.stamp.testkit.TestNetworks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input as status, with the running release untouched, table-driven over one controller and one
 * real agent: the repository served over HTTP with basic authentication; for each case a bad change
 * (of the repository, its access, or a file in it) is made and synced; the app's status and the API
 * say what is wrong and where, an event reaches the app's stream, the controller goes on, and the
 * release deployed before keeps running in the same containers. Then the change is undone and the
 * next sync is SYNCED again. (A malformed compose file and a policy denial are {@link
 * GitOpsLoopIT}'s.)
 */
@RequiresRoot
class BadInputIT {

  static final String PASSWORD = "git-password-for-the-test";

  @TempDir Path tmp;
  @AutoClose ControllerHarness h;
  GitHttpServer git;
  int gitPort;

  /** One bad change: made, then what the status must say, then undone. */
  interface Change {
    void make() throws Exception;
  }

  record Case(String name, Change make, AppState state, String says, Change undo) {}

  static String compose(String webExtra, String apiExtra) {
    return compose(webExtra, "", apiExtra);
  }

  /** The app; {@code apiDeploy} opens api's deploy mapping ({@code "placement: {…}, "}). */
  static String compose(String webExtra, String apiDeploy, String apiExtra) {
    return "services:\n"
        + "  web:\n"
        + "    build: ./web\n"
        + "    command: [httpd, -f, -p, '80', -h, /srv]\n"
        + "    deploy: {resources: {limits: {memory: 64m, pids: 100}}}\n"
        + webExtra
        + "  api:\n"
        + "    build: ./api\n"
        + "    command: [httpd, -f, -p, '8080', -h, /srv]\n"
        + "    deploy: {"
        + apiDeploy
        + "resources: {limits: {memory: 64m, pids: 100}}}\n"
        + apiExtra;
  }

  /** A bad file committed and pushed; undone by a pushed revert. */
  Case file(String name, String path, String text, AppState state, String says) {
    return new Case(
        name,
        () -> h.push(name, path, text),
        state,
        says,
        () -> {
          h.repo.revert();
          h.repo.push();
        });
  }

  @Test
  void eachBadInputIsAStatusAndAnEventAndTheRunningReleaseKeepsServing() throws Exception {
    h = ControllerHarness.prepare(tmp).host("a", Map.of("role", "web"));
    h.push(
        "shop: v1",
        "shop/compose.yaml",
        compose("", ""),
        "shop/web/Dockerfile",
        "FROM base:1\nCOPY index.html /srv/index.html\n",
        "shop/web/index.html",
        "v1\n",
        "shop/api/Dockerfile",
        "FROM base:1\nCOPY api.txt /srv/api.txt\n",
        "shop/api/api.txt",
        "api\n");
    gitPort = TestNetworks.freePort();
    git = new GitHttpServer(tmp, "dev", PASSWORD, gitPort);
    h.closing(() -> git.close()); // the one serving at the end
    h.url = git.url("shop.git");
    Path password = h.secret("git-password", PASSWORD);
    Controller c =
        h.start(
            ", credentials: {usernameFile: "
                + h.secret("git-user", "dev")
                + ", passwordFile: "
                + password
                + "}",
            "",
            Clock.systemUTC());
    c.syncAllNow("manual");
    h.assertState("shop", AppState.SYNCED);
    Release good = c.store().lastGood("shop").orElseThrow();
    List<String> web = h.hosts.get("a").containers("shop.web");
    List<String> api = h.hosts.get("a").containers("shop.api");
    ControllerClient client = new ControllerClient(h.started.api(), ControllerHarness.API_TOKEN);

    List<Case> cases =
        List.of(
            new Case(
                "bad credentials",
                () -> Files.writeString(password, "not-the-password"),
                AppState.ERROR,
                "authentication failed (not authorized); check the password file " + password,
                () -> Files.writeString(password, PASSWORD)),
            new Case(
                "a branch that does not exist",
                () -> GitOpsRepo.git(h.repo.bare(), "branch", "-m", "main", "renamed"),
                AppState.ERROR,
                "branch main does not exist in " + h.url,
                () -> GitOpsRepo.git(h.repo.bare(), "branch", "-m", "renamed", "main")),
            new Case(
                "an unreachable repository",
                () -> git.close(),
                AppState.ERROR,
                "unreachable or unavailable, will retry (connection failed: Connection refused",
                () -> git = new GitHttpServer(tmp, "dev", PASSWORD, gitPort)),
            file(
                "YAML that is not Compose",
                "shop/compose.yaml",
                "- a list\n- not a compose file\n",
                AppState.ERROR,
                "shop/compose.yaml:1:1: expected a mapping with services, got a list"),
            file(
                "a Dockerfile that does not parse",
                "shop/web/Dockerfile",
                "FROM base:1\nCOPPY index.html /srv/index.html\n",
                // the policy gate reads every Dockerfile before anything is built
                AppState.FAILED,
                "shop/web/Dockerfile:2:1: unknown instruction: COPPY"),
            file(
                "a depends_on cycle",
                "shop/compose.yaml",
                compose("    depends_on: [api]\n", "    depends_on: [web]\n"),
                AppState.ERROR,
                "cycle"),
            file(
                "a placement no host satisfies",
                "shop/compose.yaml",
                compose("", "placement: {constraints: ['node.labels.role == db']}, ", ""),
                AppState.ERROR,
                "role == db"));

    for (Case k : cases) {
      long lastEvent = lastEvent(c);
      k.make().make();
      c.syncAllNow("manual");

      AppStatus s = c.store().appStatus("shop").orElseThrow();
      assertThat(s.state()).as(k.name() + ": " + s.message()).isEqualTo(k.state());
      assertThat(s.message()).as(k.name()).contains(k.says());
      AppView view = client.app("shop");
      assertThat(view.state()).as(k.name()).isEqualToIgnoringCase(k.state().name());
      assertThat(view.message()).as(k.name()).isEqualTo(s.message());
      assertThat(c.store().events("shop", lastEvent, 100))
          .as(k.name() + ": an event on the stream")
          .extracting(StoredEvent::json)
          .anyMatch(json -> json.contains("error") && json.contains(k.says().replace("\"", "")));
      // the release before keeps running, in the same containers
      assertThat(c.store().lastGood("shop").orElseThrow().id()).as(k.name()).isEqualTo(good.id());
      assertThat(h.hosts.get("a").containers("shop.web")).as(k.name()).isEqualTo(web);
      assertThat(h.hosts.get("a").containers("shop.api")).as(k.name()).isEqualTo(api);

      k.undo().make();
      c.syncAllNow("manual");
      h.assertState("shop", AppState.SYNCED);
      assertThat(h.hosts.get("a").containers("shop.web")).as(k.name()).isEqualTo(web);
      good = c.store().lastGood("shop").orElseThrow();
    }
  }

  static long lastEvent(Controller c) throws Exception {
    List<StoredEvent> all = c.store().events("shop", 0, 10_000);
    return all.isEmpty() ? 0 : all.get(all.size() - 1).id();
  }
}
