package dev.stamp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.image.Descriptor;
import dev.stamp.runtime.image.ImageReference;
import dev.stamp.runtime.image.ImageStore;
import dev.stamp.testkit.HostCommand;
import dev.stamp.testkit.RegistryFixture;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hand-off end to end: the repository's {@code stamp} launcher, its {@code stamp-handoff}
 * client, a {@link HandOff} serving each root in this JVM (as the agent does) and a real registry
 * that wants credentials. What a handed-off push and pull store and print is what their own JVM
 * would; the caller's credentials are the ones used; a client killed in the middle of a download
 * leaves a store that checks clean and pulls again.
 */
@Timeout(180)
class HandOffIT {

  static final Path LAUNCHER = Path.of("..", "stamp").toAbsolutePath().normalize();

  static RegistryFixture registry;

  @TempDir Path tmp;

  @BeforeAll
  static void start() {
    registry = RegistryFixture.startWithBasicAuth("stamp", "right");
  }

  @AfterAll
  static void stop() {
    if (registry != null) {
      registry.close();
    }
  }

  /** A DOCKER_CONFIG directory with {@code password} for {@code host}. */
  Path dockerConfig(String name, String host, String password) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve(name));
    String auth =
        Base64.getEncoder().encodeToString(("stamp:" + password).getBytes(StandardCharsets.UTF_8));
    Files.writeString(
        dir.resolve("config.json"), "{\"auths\":{\"" + host + "\":{\"auth\":\"" + auth + "\"}}}");
    return dir;
  }

  /** Runs the launcher (no CDS archive made in the background, no STAMP_ROOT). */
  static HostCommand.Result launch(Path dockerConfig, String... args) {
    List<String> argv = new ArrayList<>(List.of("env", "-u", "STAMP_ROOT", "STAMP_CDS=0"));
    argv.add("DOCKER_CONFIG=" + dockerConfig);
    argv.add(LAUNCHER.toString());
    argv.addAll(List.of(args));
    return HostCommand.run(Duration.ofSeconds(120), null, argv);
  }

  @Test
  void aHandedOffPushAndPullDoWhatTheirOwnJvmWouldWithTheCallersCredentials() throws Exception {
    Path rootA = tmp.resolve("a");
    Path rootB = tmp.resolve("b");
    String ref = registry.host() + "/handoff/app:1";
    Descriptor manifest = RegistryCommandsIT.putImage(rootA, ref, 3_000_000);
    Path right = dockerConfig("right", registry.host(), "right");
    Path wrong = dockerConfig("wrong", registry.host(), "wrong");
    try (HandOff a = HandOff.start(new StampRoot(rootA));
        HandOff b = HandOff.start(new StampRoot(rootB))) {
      HostCommand.Result push = launch(right, "--root", rootA.toString(), "push", ref);
      assertThat(push.code()).as(push.err()).isZero();
      assertThat(push.out()).contains("digest: " + manifest.digest());
      assertThat(a.ran()).isEqualTo(1);

      // the caller's DOCKER_CONFIG, not the agent's: a wrong password is refused, nothing stored
      HostCommand.Result refused = launch(wrong, "--root", rootB.toString(), "pull", ref);
      assertThat(refused.code()).isEqualTo(2);
      assertThat(refused.err())
          .isEqualTo("stamp: pull " + ref + ": UNAUTHORIZED: authentication required\n");
      assertThat(b.ran()).isEqualTo(1);
      assertThat(ImageStore.open(new StampRoot(rootB)).taggedEntry(ImageReference.parse(ref)))
          .isEmpty();

      HostCommand.Result pull = launch(right, "--root", rootB.toString(), "pull", "-q", ref);
      assertThat(pull.code()).as(pull.err()).isZero();
      assertThat(pull.out()).isEqualTo(ref + "\n");
      assertThat(b.ran()).isEqualTo(2);
      assertSameImage(rootA, rootB, ref);

      HostCommand.Result again = launch(right, "--root", rootB.toString(), "pull", ref);
      assertThat(again.out()).contains("Status: image is up to date for " + ref);
      assertThat(b.ran()).isEqualTo(3);
    }
    // no agent (its socket gone): the launcher runs the command in its own JVM, same answer
    HostCommand.Result own = launch(right, "--root", rootB.toString(), "pull", ref);
    assertThat(own.code()).as(own.err()).isZero();
    assertThat(own.out()).contains("Status: image is up to date for " + ref);
    // --debug is never handed off: it runs (and logs) in its own JVM even with an agent there
    try (HandOff b = HandOff.start(new StampRoot(rootB))) {
      HostCommand.Result debug = launch(right, "--root", rootB.toString(), "--debug", "pull", ref);
      assertThat(debug.code()).as(debug.err()).isZero();
      assertThat(b.ran()).isZero();
    }
  }

  static void assertSameImage(Path rootA, Path rootB, String ref) throws Exception {
    var a = ImageStore.open(new StampRoot(rootA)).resolve(ref);
    var b = ImageStore.open(new StampRoot(rootB)).resolve(ref);
    assertThat(b.manifestDigest()).isEqualTo(a.manifestDigest());
    for (Descriptor layer : a.layers()) {
      try (InputStream x = ImageStore.open(new StampRoot(rootA)).openBlob(layer.digest());
          InputStream y = ImageStore.open(new StampRoot(rootB)).openBlob(layer.digest())) {
        assertThat(y.readAllBytes()).isEqualTo(x.readAllBytes());
      }
    }
  }

  /**
   * kill -9 of the client (and the launcher) while the agent downloads the layer, held in the
   * middle by a proxy that stops forwarding after 1 MB: the agent's command is interrupted, the
   * store checks clean (no partial blob, no tag) and the next pull completes and verifies.
   */
  @Test
  void aClientKilledInTheMiddleOfAPullLeavesAStoreThatChecksCleanAndPullsAgain() throws Exception {
    Path rootA = tmp.resolve("a");
    Path rootB = tmp.resolve("b");
    Path right = dockerConfig("right", registry.host(), "right");
    try (StallingProxy proxy = new StallingProxy(registry.port(), 1_000_000)) {
      String direct = registry.host() + "/handoff/big:1";
      String viaProxy = "127.0.0.1:" + proxy.port() + "/handoff/big:1";
      Path viaConfig = dockerConfig("via", "127.0.0.1:" + proxy.port(), "right");
      RegistryCommandsIT.putImage(rootA, direct, 8_000_000);
      try (HandOff a = HandOff.start(new StampRoot(rootA))) {
        assertThat(launch(right, "--root", rootA.toString(), "push", direct).code()).isZero();
      }
      try (HandOff b = HandOff.start(new StampRoot(rootB))) {
        Process p =
            new ProcessBuilder(
                    "env",
                    "-u",
                    "STAMP_ROOT",
                    "STAMP_CDS=0",
                    "DOCKER_CONFIG=" + viaConfig,
                    LAUNCHER.toString(),
                    "--root",
                    rootB.toString(),
                    "pull",
                    viaProxy)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        assertThat(proxy.stalled.await(60, TimeUnit.SECONDS)).as("the layer began").isTrue();
        assertThat(b.running()).isEqualTo(1);
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor();
        HandOffTest.await(() -> b.running() == 0);
        assertThat(b.ran()).isEqualTo(1);
        StampCliInProcess cli = new StampCliInProcess(rootB);
        // what check finds is at most the config, downloaded whole before the layer began (a
        // cache until gc): no partial blob, no temp file, no layer
        cli.code("system", "check");
        assertThat(cli.err()).isEmpty();
        assertThat(cli.out().lines().filter(l -> !l.isBlank()))
            .allMatch(
                l ->
                    l.startsWith("unreferenced blob ")
                        || l.equals("state root " + rootB + ": clean"),
                "clean, or only unreferenced blobs");
        for (Descriptor layer : ImageStore.open(new StampRoot(rootA)).resolve(direct).layers()) {
          assertThat(ImageStore.open(new StampRoot(rootB)).hasBlob(layer.digest())).isFalse();
        }
        assertThat(
                ImageStore.open(new StampRoot(rootB)).taggedEntry(ImageReference.parse(viaProxy)))
            .isEmpty();
        proxy.stallAfter.set(Long.MAX_VALUE);
        HostCommand.Result pull = launch(viaConfig, "--root", rootB.toString(), "pull", viaProxy);
        assertThat(pull.code()).as(pull.err()).isZero();
        assertThat(b.ran()).isEqualTo(2);
      }
      var pulled = ImageStore.open(new StampRoot(rootB)).resolve(viaProxy);
      var pushed = ImageStore.open(new StampRoot(rootA)).resolve(direct);
      assertThat(pulled.manifestDigest()).isEqualTo(pushed.manifestDigest());
    }
  }

  /**
   * A TCP proxy to the registry that forwards answers until {@code stallAfter} bytes have gone
   * through one connection, then forwards nothing more (the connection stays open).
   */
  static final class StallingProxy implements AutoCloseable {
    final AtomicLong stallAfter;
    final CountDownLatch stalled = new CountDownLatch(1);
    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    StallingProxy(int upstreamPort, long stallAfter) throws IOException {
      this.stallAfter = new AtomicLong(stallAfter);
      this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread acceptor =
          new Thread(
              () -> {
                try {
                  while (true) {
                    Socket client = server.accept();
                    Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
                    sockets.add(client);
                    sockets.add(upstream);
                    pump(client.getInputStream(), upstream.getOutputStream(), false);
                    pump(upstream.getInputStream(), client.getOutputStream(), true);
                  }
                } catch (IOException e) {
                  // closed
                }
              });
      acceptor.setDaemon(true);
      acceptor.start();
    }

    int port() {
      return server.getLocalPort();
    }

    private void pump(InputStream in, OutputStream out, boolean answers) {
      Thread t =
          new Thread(
              () -> {
                byte[] buf = new byte[16384];
                long sent = 0;
                try {
                  int n;
                  while ((n = in.read(buf)) > 0) {
                    if (answers && sent + n > stallAfter.get()) {
                      stalled.countDown();
                      while (sent + n > stallAfter.get()) {
                        Thread.sleep(50);
                      }
                    }
                    out.write(buf, 0, n);
                    sent += n;
                  }
                  out.close();
                } catch (IOException | InterruptedException e) {
                  // a side closed
                }
              });
      t.setDaemon(true);
      t.start();
    }

    @Override
    public void close() throws IOException {
      server.close();
      for (Socket s : sockets) {
        s.close();
      }
    }
  }
}
