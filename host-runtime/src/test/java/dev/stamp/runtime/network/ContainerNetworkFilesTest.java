package dev.stamp.runtime.network;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ContainerNetworkFilesTest {

  private static final String HOST_RESOLV =
      "# generated\nnameserver 127.0.0.53\nnameserver 10.255.255.53\nnameserver ::1\n"
          + "search example.internal\noptions edns0 trust-ad\n";

  private static NetworkAttachment bridged() {
    return new NetworkAttachment(
        "c1",
        new NetworkMode.Bridge("bridge"),
        Optional.of(Path.of("/var/lib/stamp/netns/c1")),
        Optional.of("10.88.0.7"),
        Optional.of("10.88.0.1"),
        List.of());
  }

  private static NetworkAttachment unbridged(NetworkMode mode) {
    return new NetworkAttachment(
        "c1", mode, Optional.empty(), Optional.empty(), Optional.empty(), List.of());
  }

  @Test
  void hostsMapsTheHostnameToTheBridgeAddress() {
    String hosts = ContainerNetworkFiles.hosts("web-1", bridged());
    assertThat(hosts).startsWith("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost");
    assertThat(hosts).endsWith("10.88.0.7\tweb-1\n");
  }

  @Test
  void hostsWithoutAnAddressUsesDebiansLoopbackAlias() {
    assertThat(ContainerNetworkFiles.hosts("box", unbridged(new NetworkMode.None())))
        .endsWith("127.0.1.1\tbox\n");
  }

  @Test
  void bridgedResolvConfDropsLoopbackNameservers() {
    assertThat(ContainerNetworkFiles.resolvConf(bridged(), HOST_RESOLV))
        .isEqualTo(
            "# host nameservers 127.0.0.53, ::1 left out: unreachable from a container\n"
                + "# generated\n"
                + "nameserver 10.255.255.53\n"
                + "search example.internal\n"
                + "options edns0 trust-ad\n");
  }

  @Test
  void hostNetworkKeepsTheHostsFileVerbatim() {
    assertThat(ContainerNetworkFiles.resolvConf(unbridged(new NetworkMode.Host()), HOST_RESOLV))
        .isEqualTo(HOST_RESOLV);
  }

  @Test
  void noNetworkHasNoNameserverAtAll() {
    String conf = ContainerNetworkFiles.resolvConf(unbridged(new NetworkMode.None()), HOST_RESOLV);
    assertThat(conf).doesNotContain("\nnameserver").contains("search example.internal\n");
    assertThat(conf).startsWith("# host nameservers 127.0.0.53, 10.255.255.53, ::1 left out");
  }
}
