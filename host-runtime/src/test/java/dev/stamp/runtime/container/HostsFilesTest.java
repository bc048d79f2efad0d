package dev.stamp.runtime.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.runtime.network.NetworkAttachment;
import dev.stamp.runtime.network.NetworkMode;
import dev.stamp.runtime.network.PortMapping;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HostsFilesTest {

  private static final String HEAD =
      "127.0.0.1\tlocalhost\n"
          + "::1\tlocalhost ip6-localhost ip6-loopback\n"
          + "fe00::0\tip6-localnet\n"
          + "ff00::0\tip6-mcastprefix\n"
          + "ff02::1\tip6-allnodes\n"
          + "ff02::2\tip6-allrouters\n";

  @Test
  void eachContainerSeesItsPeersByNameAliasAndShortIdAndItsLinkAliases() {
    HostsFiles.Member web = member("a", "web", List.of("frontend"), List.of(), "10.9.0.2");
    HostsFiles.Member db = member("b", null, List.of(), List.of(), "10.9.0.3");
    HostsFiles.Member client =
        member(
            "c", "client", List.of(), List.of(new ContainerSpec.Link("web", "site")), "10.9.0.4");
    List<HostsFiles.Member> all = List.of(web, db, client);

    assertThat(HostsFiles.hostsOf(client, all))
        .isEqualTo(
            HEAD
                + "10.9.0.4\tcccccccccccc client\n"
                + "10.9.0.2\tsite web frontend aaaaaaaaaaaa\n"
                + "10.9.0.3\tbbbbbbbbbbbb\n");
    assertThat(HostsFiles.hostsOf(web, all))
        .isEqualTo(
            HEAD
                + "10.9.0.2\taaaaaaaaaaaa web frontend\n"
                + "10.9.0.3\tbbbbbbbbbbbb\n"
                + "10.9.0.4\tclient cccccccccccc\n");
  }

  @Test
  void aLinkToAContainerOffTheNetworkAddsNothing() {
    HostsFiles.Member alone =
        member("c", "c", List.of(), List.of(new ContainerSpec.Link("gone", "g")), "10.9.0.4");
    assertThat(HostsFiles.hostsOf(alone, List.of(alone)))
        .isEqualTo(HEAD + "10.9.0.4\tcccccccccccc c\n");
  }

  @Test
  void linksParseNameAndAlias() throws Exception {
    assertThat(ContainerSpec.Link.parse("db")).isEqualTo(new ContainerSpec.Link("db", "db"));
    assertThat(ContainerSpec.Link.parse("db:database"))
        .isEqualTo(new ContainerSpec.Link("db", "database"));
    assertThatThrownBy(() -> ContainerSpec.Link.parse("db:bad_alias!"))
        .hasMessage("--link db:bad_alias!: alias \"bad_alias!\" is not a valid host name");
    assertThatThrownBy(() -> ContainerSpec.Link.parse(":x"))
        .hasMessage("--link :x: \"\" is not a container name");
  }

  @Test
  void aliasesAndLinksNeedABridge() {
    assertThatThrownBy(
            () ->
                ContainerSpec.builder()
                    .image("busybox")
                    .network(new NetworkMode.Host())
                    .networkAlias("web")
                    .build())
        .hasMessage("publishAll, networkAliases and links need a bridge network");
  }

  @Test
  void publishAllAddsEveryExposedPortNotPublishedYet() throws Exception {
    ContainerSpec spec =
        ContainerSpec.builder()
            .image("img")
            .port(PortMapping.tcp(8080, 80))
            .publishAll(true)
            .build();
    ResolvedImage image = image(List.of("80/tcp", "53/udp", "9000"));
    assertThat(ContainerFactory.publishedPorts(spec, image))
        .containsExactly(
            PortMapping.tcp(8080, 80),
            PortMapping.of("0.0.0.0", 0, 53, "udp"),
            PortMapping.of("0.0.0.0", 0, 9000, "tcp"));
    ContainerSpec without = ContainerSpec.builder().image("img").build();
    assertThat(ContainerFactory.publishedPorts(without, image)).isEmpty();
    assertThatThrownBy(
            () ->
                ContainerFactory.publishedPorts(
                    ContainerSpec.builder().image("img").publishAll(true).build(),
                    image(List.of("http"))))
        .hasMessage("-P: image img EXPOSEs \"http\", not a port");
  }

  private static ResolvedImage image(List<String> exposed) {
    return new ResolvedImage(
        "img",
        "sha256:1",
        List.of(Path.of("/l")),
        List.of(),
        List.of(),
        List.of("sh"),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        exposed);
  }

  private static HostsFiles.Member member(
      String idChar,
      String name,
      List<String> aliases,
      List<ContainerSpec.Link> links,
      String address) {
    String id = idChar.repeat(64);
    ContainerRecord config =
        new ContainerRecord(
            id,
            name,
            "img",
            "sha256:1",
            "2026-01-01T00:00:00Z",
            List.of(),
            null,
            null,
            List.of("sh"),
            List.of(),
            null,
            "",
            0,
            0,
            List.of(),
            id.substring(0, 12),
            List.of(),
            0,
            0,
            0,
            false,
            false,
            "bridge",
            List.of(),
            false,
            15,
            10,
            new ContainerRecord.Intent(List.of(), null, true),
            aliases,
            links,
            false,
            false,
            null);
    NetworkAttachment attachment =
        new NetworkAttachment(
            id,
            new NetworkMode.Bridge("bridge"),
            Optional.of(Path.of("/netns/" + id)),
            Optional.of(address),
            Optional.of("10.9.0.1"),
            List.of());
    return new HostsFiles.Member(attachment, config);
  }
}
