package dev.stamp.runtime.network;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.runtime.StampRoot;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class LoopbackGuardTest {

  @Test
  void eachRootHasATableOfItsOwnThatStaysTheSame() {
    String a = LoopbackGuard.tableName(new StampRoot(Path.of("/var/lib/stamp")));
    assertThat(a).matches("stamp_localnet_[0-9a-f]{10}");
    assertThat(LoopbackGuard.tableName(new StampRoot(Path.of("/var/lib/stamp")))).isEqualTo(a);
    assertThat(LoopbackGuard.tableName(new StampRoot(Path.of("/tmp/other")))).isNotEqualTo(a);
    assertThat(LoopbackGuard.of(new StampRoot(Path.of("/var/lib/stamp"))).tableName()).isEqualTo(a);
  }

  @Test
  void theScriptReplacesTheWholeTableWithTheKubernetesRule() {
    assertThat(LoopbackGuard.script("stamp_localnet_0123456789"))
        .isEqualTo(
            """
            table ip stamp_localnet_0123456789 {}
            delete table ip stamp_localnet_0123456789
            table ip stamp_localnet_0123456789 {
              comment "Stamp: host loopback is not reachable from bridges\
             (dev.stamp.runtime.network.LoopbackGuard)"
              chain input {
                type filter hook input priority filter; policy accept;
                iifname != "lo" ip daddr 127.0.0.0/8 ct status dnat accept
                iifname != "lo" ip daddr 127.0.0.0/8 counter drop comment "for 127.0.0.0/8,\
             not from lo, not DNATed (CVE-2020-8558)"
              }
            }
            """);
  }

  @Test
  void removalIsIdempotentWhetherOrNotTheTableExists() {
    assertThat(LoopbackGuard.removal("stamp_localnet_0123456789"))
        .isEqualTo(
            "table ip stamp_localnet_0123456789 {}\ndelete table ip stamp_localnet_0123456789\n");
  }
}
