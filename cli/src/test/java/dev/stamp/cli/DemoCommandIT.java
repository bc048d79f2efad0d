package dev.stamp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.image.ImageStore;
import dev.stamp.runtime.linux.Mountinfo;
import dev.stamp.runtime.network.NetworkConfig;
import dev.stamp.runtime.network.NetworkManager;
import dev.stamp.testkit.HostCommand.Result;
import dev.stamp.testkit.HttpFetch;
import dev.stamp.testkit.RequiresRoot;
import dev.stamp.testkit.StampCliProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code stamp demo} in a temp root, as its own process: build, serve, fetch, clean up. */
@RequiresRoot
@Timeout(300)
class DemoCommandIT {

  @TempDir Path tmp;

  Result demo(Path root, String... extra) {
    return new StampCliProcess(root).timeout(Duration.ofSeconds(240)).run(extra);
  }

  @Test
  void buildsTheBaseImageServesAPageAndLeavesNothing() throws Exception {
    Path root = tmp.resolve("root");
    NetworkManager net = NetworkManager.open(new StampRoot(root));
    NetworkConfig network = net.saveNetwork(CliNet.uniqueNetwork());
    try {
      Result first = demo(root, "demo");
      assertThat(first.code()).as(first.err()).isZero();
      List<String> lines = first.out().lines().toList();
      assertThat(lines).hasSize(5);
      assertThat(lines.get(0))
          .matches(
              "image +stamp-samples/base:1 +sha256:[0-9a-f]{64} \\(built from samples/base in \\d+ ms\\)");
      assertThat(lines.get(1))
          .matches(
              "container [0-9a-f]{12} +started in \\d+ ms on the default bridge, 127\\.0\\.0\\.1:\\d+ -> 80");
      assertThat(lines.get(2)).contains("\"Hello from a Stamp container\"");
      assertThat(lines.get(3)).startsWith("removed");
      assertThat(lines.get(4)).matches("done +in \\d+ ms");
      assertThat(ImageStore.open(new StampRoot(root)).list()).hasSize(1);
      assertNothingLeft(root, network);

      Result kept = demo(root, "demo", "--keep");
      assertThat(kept.code()).as(kept.err()).isZero();
      assertThat(kept.out()).contains("(in the store)").contains("kept");
      String url = kept.out().replaceAll("(?s).*running: (http://\\S+).*", "$1");
      assertThat(HttpFetch.getWhenUp(url, Duration.ofSeconds(10)))
          .contains("Hello from a Stamp container");
      String id = kept.out().replaceAll("(?s).*container ([0-9a-f]{12}).*", "$1");
      assertThat(demo(root, "rm", "-f", id).code()).isZero();
      assertNothingLeft(root, network);
    } finally {
      net.removeNetwork("bridge");
    }
  }

  @Test
  void aFailureIsOneLineExitOneAndNothingLeft() throws Exception {
    Path root = tmp.resolve("broken");
    NetworkManager net = NetworkManager.open(new StampRoot(root));
    // "lo" exists and is no bridge: the CNI bridge plugin refuses it
    NetworkConfig network = net.saveNetwork(NetworkConfig.of("bridge", "lo", "10.254.254.0/24"));
    Result r = demo(root, "demo");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err().lines()).hasSize(1);
    assertThat(r.err()).startsWith("stamp: demo: ").doesNotContain("Exception");
    assertNothingLeft(root, network);
  }

  static void assertNothingLeft(Path root, NetworkConfig network) throws Exception {
    try (var s = Files.list(root.resolve("containers"))) {
      assertThat(s.filter(p -> !p.getFileName().toString().startsWith(".")).toList()).isEmpty();
    }
    assertThat(Mountinfo.read().anyUnder(root)).isFalse();
    Path netns = root.resolve("netns");
    if (Files.isDirectory(netns)) {
      try (var s = Files.list(netns)) {
        assertThat(s.toList()).isEmpty();
      }
    }
    Path brif = Path.of("/sys/class/net", network.bridge(), "brif");
    if (Files.isDirectory(brif)) {
      try (var s = Files.list(brif)) {
        assertThat(s.toList()).isEmpty();
      }
    }
  }
}
