package dev.stamp.runtime.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampException.Kind;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.fs.JsonRecordDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What NetworkManager does without root: network files, none/host attachments, bad input. */
class NetworkManagerTest {

  @TempDir Path root;
  @TempDir Path claims;
  private NetworkManager net;

  @BeforeEach
  void open() {
    net = NetworkManager.open(new StampRoot(root), claims);
  }

  @Test
  void theDefaultNetworkIsWrittenDownOnFirstUseOnAFreeSubnet() throws Exception {
    NetworkConfig first = net.network("bridge");
    assertThat(first.bridge())
        .isEqualTo(NetworkConfig.defaultBridge(new StampRoot(root)))
        .matches("stamp[0-9a-f]{8}");
    assertThat(first.subnet())
        .isEqualTo(DefaultSubnet.pick(first.bridge()))
        .matches("10\\.(8[89]|9[0-9]|1[01][0-9]|12[0-7])\\.0\\.0/16");
    assertThat(root.resolve("networks/bridge.json")).exists();
    assertThat(net.network("bridge")).isEqualTo(first);
  }

  @Test
  void everyRootHasADefaultBridgeAndSubnetOfItsOwn(@TempDir Path other) throws Exception {
    assertThat(NetworkConfig.defaultBridge(new StampRoot(StampRoot.DEFAULT))).isEqualTo("stamp0");
    NetworkConfig mine = net.network("bridge");
    NetworkConfig theirs = NetworkManager.open(new StampRoot(other), claims).network("bridge");
    assertThat(theirs.bridge()).isNotEqualTo(mine.bridge()).matches("stamp[0-9a-f]{8}");
    // neither bridge exists yet, so no route tells them apart: the claims do
    assertThat(theirs.subnet()).isNotEqualTo(mine.subnet());
    // a root that gave its subnet up (its file says another) no longer holds it
    Files.delete(other.resolve("networks/bridge.json"));
    Path third = Files.createTempDirectory(claims.getParent(), "third");
    NetworkConfig next = NetworkManager.open(new StampRoot(third), claims).network("bridge");
    assertThat(next.subnet()).isNotEqualTo(mine.subnet()).isEqualTo(theirs.subnet());
  }

  @Test
  void savedNetworksAreReadBack() throws Exception {
    NetworkConfig own = NetworkConfig.of("bridge", "stt0test", "10.231.7.0/24");
    net.saveNetwork(own);
    assertThat(net.network("bridge")).isEqualTo(own);
    assertThat(Files.readString(root.resolve("networks/bridge.json")))
        .contains("\"bridge\" : \"stt0test\"", "\"subnet\" : \"10.231.7.0/24\"")
        .doesNotContain("gateway");
    NetworkConfig backend =
        net.saveNetwork(NetworkConfig.of("backend", "stt1test", "10.231.8.0/24"));
    assertThat(net.network("backend")).isEqualTo(backend);
  }

  @Test
  void otherNetworksMustExist() {
    assertThatThrownBy(() -> net.network("backend"))
        .hasMessage("network backend: not found (no " + root.resolve("networks/backend.json") + ")")
        .satisfies(e -> assertThat(HostNet.kindOf(e)).isEqualTo(Kind.NOT_FOUND));
  }

  @Test
  void corruptNetworkFileIsNamed() throws Exception {
    Files.createDirectories(root.resolve("networks"));
    Files.writeString(root.resolve("networks/web.json"), "{\"name\":\"web\",\"bridge\":\"b\"}");
    assertThatThrownBy(() -> net.network("web")).hasMessage("network web: no subnet given");
  }

  @Test
  void noneAndHostCreateNothing() throws HostRuntimeException {
    NetworkAttachment none = net.attach("c1", new NetworkMode.None(), List.of());
    NetworkAttachment host = net.attach("c2", new NetworkMode.Host(), List.of());
    assertThat(none)
        .isEqualTo(
            new NetworkAttachment(
                "c1",
                new NetworkMode.None(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                List.of()));
    assertThat(host.netnsPath()).isEmpty();
    assertThat(root.resolve("networks")).doesNotExist();
    assertThat(root.resolve("netns")).doesNotExist();
    assertThat(net.containersWithNetworkState()).isEmpty();
  }

  @Test
  void publishingWithoutABridgeIsBadInput() {
    assertThatThrownBy(
            () -> net.attach("c1", new NetworkMode.Host(), List.of(PortMapping.tcp(8080, 80))))
        .hasMessage(
            "publish 0.0.0.0:8080->80/tcp: publishing ports needs a bridge network, not --network"
                + " host")
        .satisfies(e -> assertThat(HostNet.kindOf(e)).isEqualTo(Kind.BAD_INPUT));
  }

  @Test
  void containerIdsMustBeSafeFileNames() {
    for (String bad : new String[] {"../x", "", "a/b", ".hidden", "a b"}) {
      assertThatThrownBy(() -> net.attach(bad, NetworkMode.defaultMode(), List.of()))
          .hasMessage("container id \"" + bad + "\": expected letters, digits, '_', '.', '-'");
      assertThatThrownBy(() -> net.detach(bad))
          .isInstanceOf(HostRuntimeException.class)
          .hasMessage("container id \"" + bad + "\": expected letters, digits, '_', '.', '-'")
          .satisfies(e -> assertThat(HostNet.kindOf(e)).isEqualTo(Kind.BAD_INPUT));
    }
  }

  @Test
  void detachOfAnUnknownContainerIsANoOp() throws HostRuntimeException {
    net.detach("never-attached");
    assertThat(net.attachment("never-attached")).isEmpty();
  }

  @Test
  void recordsRoundTripWithTheirCniResult() throws Exception {
    JsonRecordDir<AttachmentRecord> store =
        NetworkManager.attachmentRecords(root.resolve("networks"));
    AttachmentRecord intent =
        AttachmentRecord.intent(
            "c1",
            NetworkConfig.of("bridge", "stt0test", "10.231.7.0/24"),
            net.netnsPath("c1"),
            List.of(PortMapping.tcp(8080, 80), PortMapping.parse("127.0.0.1:5353:53/udp")));
    store.write(intent);
    assertThat(store.read("c1")).contains(intent);
    assertThat(net.attachment("c1")).as("incomplete attachments are not reported").isEmpty();
    assertThat(net.containersWithNetworkState()).containsExactly("c1");

    AttachmentRecord attached =
        intent.attached(
            "10.231.7.2",
            "10.231.7.1",
            CniResult.parse(
                "{\"ips\":[{\"address\":\"10.231.7.2/24\"}]}"
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    store.write(attached);
    assertThat(store.read("c1")).contains(attached);
    assertThat(net.attachment("c1").orElseThrow().ipAddress()).contains("10.231.7.2");
    assertThat(net.attachment("c1").orElseThrow().netnsPath()).contains(root.resolve("netns/c1"));

    store.delete("c1");
    assertThat(store.read("c1")).isEmpty();
    assertThat(root.resolve("networks/attachments")).isEmptyDirectory();
  }
}
