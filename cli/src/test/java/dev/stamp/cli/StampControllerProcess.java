package dev.stamp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.image.ImageReference;
import dev.stamp.runtime.image.ImageStore;
import dev.stamp.runtime.layer.RootfsImporter;
import dev.stamp.testkit.GitOpsRepo;
import dev.stamp.testkit.HostCommand;
import dev.stamp.testkit.StampCliProcess;
import dev.stamp.testkit.StateRootLeaks;
import dev.stamp.testkit.TestNetworks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code stamp controller -c FILE} as its own process for a test, over one {@link
 * StampAgentProcess}: a state root of its own with the agent's busybox rootfs imported as {@code
 * base:1}, a bare Git repository ({@code shop.git}, branch main) with a clone the test commits to
 * with the git CLI, an API token, fixed free ports for the API and the image endpoint (so a
 * restarted controller serves where the first one did), and the CLI against its root. {@link
 * #close} stops the controller with SIGTERM and fails if its root left anything on the host.
 */
final class StampControllerProcess implements AutoCloseable {

  static final String API_TOKEN = "controller-cli-it-api-token-0123456789";

  final Path dir;
  final Path root;
  final Path bare;
  final GitOpsRepo repo;
  final Path apiToken;
  final Path config;
  final int apiPort;
  final int imagesPort;
  Process controller;
  private int starts;

  private StampControllerProcess(Path dir, StampAgentProcess agent, String repoExtra)
      throws Exception {
    this.dir = dir;
    this.root = dir.resolve("root");
    new RootfsImporter(ImageStore.open(new StampRoot(root)), Map.of())
        .importTar(agent.tmp.resolve("rootfs.tar"), ImageReference.parse("base:1"), List.of());
    this.repo = GitOpsRepo.create(dir, "shop");
    this.bare = repo.bare();
    this.apiToken = secret(dir.resolve("api-token"), API_TOKEN);
    this.apiPort = TestNetworks.freePort();
    this.imagesPort = TestNetworks.freePort();
    this.config = dir.resolve("controller.yaml");
    Files.writeString(
        config,
        "api: {listen: '127.0.0.1:"
            + apiPort
            + "', tokenFile: "
            + apiToken
            + "}\n"
            + "repositories:\n"
            + "  - {name: shop, url: "
            + bare.toUri()
            + ", poll: off"
            + repoExtra
            + "}\n"
            + "hosts:\n"
            + "  - {name: a, agent: 'http://127.0.0.1:"
            + agent.apiPort
            + "', tokenFile: "
            + agent.token
            + "}\n"
            + "images: {distribution: embedded, listen: '127.0.0.1:"
            + imagesPort
            + "'}\n");
  }

  /** A controller under {@code dir} deploying to {@code agent} (its rootfs tar is reused). */
  static StampControllerProcess prepare(Path dir, StampAgentProcess agent) throws Exception {
    return prepare(dir, agent, "");
  }

  /** The same, {@code repoExtra} added to the repository's entry (", syncWindows: […]"). */
  static StampControllerProcess prepare(Path dir, StampAgentProcess agent, String repoExtra)
      throws Exception {
    Files.createDirectories(dir);
    return new StampControllerProcess(dir, agent, repoExtra);
  }

  /** Starts {@code stamp controller -c controller.yaml}; waits until {@code stamp status} works. */
  void start() throws Exception {
    starts++;
    controller = cli().start(log(), "controller", "-c", config.toString());
    long deadline = System.currentTimeMillis() + 120_000;
    while (true) {
      if (!controller.isAlive()) {
        throw new AssertionError(
            "stamp controller exited with "
                + controller.exitValue()
                + ":\n"
                + Files.readString(log()));
      }
      if (Files.exists(root.resolve("controller/api.json")) && stamp("status").code() == 0) {
        return;
      }
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("the controller never answered:\n" + Files.readString(log()));
      }
      Thread.sleep(200);
    }
  }

  /** The log of the current (or last) controller process. */
  Path log() {
    return dir.resolve("controller-" + starts + ".log");
  }

  /** {@code kill -9} the controller and wait for it to be gone. */
  void kill() throws Exception {
    controller.destroyForcibly();
    assertThat(controller.waitFor(30, TimeUnit.SECONDS)).isTrue();
  }

  StampCliProcess cli() {
    return new StampCliProcess(root);
  }

  /** {@code stamp --root ROOT ARGS…} to its end. */
  HostCommand.Result stamp(String... args) {
    return cli().run(args);
  }

  void write(String path, String text) {
    repo.write(path, text);
  }

  /** Commits everything in the clone and pushes it; returns the new head. */
  String commit(String message) {
    repo.commit(message);
    return repo.push();
  }

  @Override
  public void close() throws Exception {
    if (controller != null && controller.isAlive()) {
      controller.destroy(); // SIGTERM: a clean stop
      boolean stopped = controller.waitFor(30, TimeUnit.SECONDS);
      controller.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      assertThat(stopped).as("the controller stops on SIGTERM").isTrue();
    }
    StateRootLeaks.assertNone(root, List.of());
  }

  static Path secret(Path p, String value) throws Exception {
    Files.writeString(p, value);
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
    return p;
  }
}
