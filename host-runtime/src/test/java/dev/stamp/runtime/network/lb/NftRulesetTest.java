package dev.stamp.runtime.network.lb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.network.PortMapping;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class NftRulesetTest {

  private static BalancedService service(String name, PortMapping front, Backend... backends) {
    return new BalancedService(
        name,
        List.of(front),
        List.of(backends),
        backends.length == 0 ? List.of() : List.of("10.250.3.0/24"),
        backends.length == 0 ? List.of() : List.of("stt123456"),
        BalancedService.PUBLISHED);
  }

  @Test
  void aTableOfTwoServicesMatchesOnlyTheirFrontsAndBalancesRoundRobin() throws Exception {
    BalancedService web =
        service(
            "web",
            PortMapping.tcp(30001, 8080),
            Backend.of("10.250.3.2", 8080),
            Backend.of("10.250.3.3", 8080),
            Backend.of("10.250.3.4", 9090));
    BalancedService api = service("api-1", PortMapping.parse("127.0.0.1:30002:80"));

    assertThat(NftRuleset.render("stamp_0123456789", List.of(web, api)))
        .isEqualTo(
            """
            table ip stamp_0123456789 {}
            delete table ip stamp_0123456789
            table ip stamp_0123456789 {
              comment "Stamp published services (dev.stamp.runtime.network.lb)"
              chain prerouting {
                type nat hook prerouting priority dstnat; policy accept;
                fib daddr type local meta l4proto tcp th dport 30001 jump svc_web_%1$s
                ip daddr 127.0.0.1 meta l4proto tcp th dport 30002 jump svc_api_1_%2$s
              }
              chain output {
                type nat hook output priority -100; policy accept;
                fib daddr type local meta l4proto tcp th dport 30001 jump svc_web_%1$s
                ip daddr 127.0.0.1 meta l4proto tcp th dport 30002 jump svc_api_1_%2$s
              }
              chain postrouting {
                type nat hook postrouting priority srcnat; policy accept;
                meta l4proto tcp ct status dnat ct original proto-dst 30001 ip saddr 127.0.0.0/8 masquerade
                meta l4proto tcp ct status dnat ct original proto-dst 30001 ip saddr 10.250.3.0/24 ip daddr 10.250.3.0/24 masquerade
              }
              chain svc_web_%1$s {
                comment "service web 0.0.0.0:30001/tcp"
                meta l4proto tcp dnat ip addr . port to numgen inc mod 3 map { 0 : 10.250.3.2 . 8080, 1 : 10.250.3.3 . 8080, 2 : 10.250.3.4 . 9090 }
              }
              chain svc_api_1_%2$s {
                comment "service api-1 127.0.0.1:30002/tcp"
                reject with tcp reset
              }
            }
            """
                .formatted(hash("web"), hash("api-1")));
  }

  @Test
  void weightsGiveABackendThatManyConsecutiveNumbers() throws Exception {
    BalancedService web =
        service(
            "web",
            PortMapping.tcp(30001, 80),
            Backend.of("10.250.3.2", 80, 3),
            Backend.of("10.250.3.3", 80),
            Backend.of("10.250.3.4", 80, 2));
    assertThat(NftRuleset.dnat(web))
        .isEqualTo(
            "meta l4proto tcp dnat ip addr . port to numgen inc mod 6 map {"
                + " 0-2 : 10.250.3.2 . 80, 3 : 10.250.3.3 . 80, 4-5 : 10.250.3.4 . 80 }");
  }

  @Test
  void everyFrontOfAServiceGetsItsChainFromTheOneBackendSet() throws Exception {
    BalancedService web =
        new BalancedService(
            "web",
            List.of(PortMapping.parse("127.0.0.1:30001:80"), PortMapping.parse("30443:443")),
            List.of(Backend.of("10.250.3.2", 80), Backend.of("10.250.3.3", 80, 2)),
            List.of("10.250.3.0/24"),
            List.of("stt123456"),
            BalancedService.PUBLISHED);
    String script = NftRuleset.render("stamp_ab", List.of(web));
    String first = NftRuleset.chainName("web", 0);
    String second = NftRuleset.chainName("web", 1);
    assertThat(first).isEqualTo(NftRuleset.chainName("web"));
    assertThat(second).isEqualTo(first + "_p2");
    assertThat(script)
        .contains("ip daddr 127.0.0.1 meta l4proto tcp th dport 30001 jump " + first + "\n")
        .contains("fib daddr type local meta l4proto tcp th dport 30443 jump " + second + "\n")
        .contains("proto-dst 30001 ct original ip daddr 127.0.0.1 ip saddr 127.0.0.0/8 masquerade")
        .contains("ct original proto-dst 30443 ip saddr 127.0.0.0/8 masquerade")
        .contains(
            "  chain "
                + first
                + " {\n"
                + "    comment \"service web 127.0.0.1:30001/tcp\"\n"
                + "    meta l4proto tcp dnat ip addr . port to numgen inc mod 3 map {"
                + " 0 : 10.250.3.2 . 80, 1-2 : 10.250.3.3 . 80 }\n")
        .contains(
            "  chain "
                + second
                + " {\n"
                + "    comment \"service web 0.0.0.0:30443/tcp\"\n"
                + "    meta l4proto tcp dnat ip addr . port to numgen inc mod 3 map {"
                + " 0 : 10.250.3.2 . 443, 1-2 : 10.250.3.3 . 443 }\n");
  }

  @Test
  void aServiceWithoutFrontsHasNoRules() throws Exception {
    BalancedService worker =
        new BalancedService(
            "worker",
            List.of(),
            List.of(Backend.of("10.250.3.2", 0)),
            List.of("10.250.3.0/24"),
            List.of("stt123456"),
            BalancedService.PUBLISHED);
    assertThat(NftRuleset.render("stamp_ab", List.of(worker)))
        .as("alone: no table at all")
        .isEqualTo("table ip stamp_ab {}\ndelete table ip stamp_ab\n");
    BalancedService web = service("web", PortMapping.tcp(30001, 80), Backend.of("10.250.3.3", 80));
    assertThat(NftRuleset.render("stamp_ab", List.of(worker, web)))
        .isEqualTo(NftRuleset.render("stamp_ab", List.of(web)))
        .doesNotContain("worker")
        .doesNotContain("10.250.3.2");
  }

  @Test
  void noServiceLeftOnlyDeletesTheTable() {
    assertThat(NftRuleset.render("stamp_ab", List.of()))
        .isEqualTo("table ip stamp_ab {}\ndelete table ip stamp_ab\n");
  }

  @Test
  void udpServicesMatchUdpAndRefuseWithAPlainReject() throws Exception {
    BalancedService dns = service("dns", PortMapping.parse("5353:53/udp"));
    String script = NftRuleset.render("stamp_ab", List.of(dns));
    assertThat(script)
        .contains("fib daddr type local meta l4proto udp th dport 5353 jump svc_dns_");
    assertThat(script).contains("    reject\n");
    assertThat(script).doesNotContain("masquerade");
  }

  @Test
  void tableNamesDifferPerRootAndChainNamesPerService() {
    String a = NftRuleset.tableName(new StampRoot(Path.of("/tmp/a")));
    String b = NftRuleset.tableName(new StampRoot(Path.of("/tmp/b")));
    assertThat(a).matches("stamp_[0-9a-f]{10}").isNotEqualTo(b);
    assertThat(NftRuleset.tableName(new StampRoot(Path.of("/tmp/a/../a")))).isEqualTo(a);
    assertThat(NftRuleset.chainName("web-1")).startsWith("svc_web_1_");
    assertThat(NftRuleset.chainName("web-1")).isNotEqualTo(NftRuleset.chainName("web_1"));
  }

  private static String hash(String service) {
    String chain = NftRuleset.chainName(service);
    return chain.substring(chain.length() - 8);
  }
}
