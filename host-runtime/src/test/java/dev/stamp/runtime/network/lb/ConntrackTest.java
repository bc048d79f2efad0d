package dev.stamp.runtime.network.lb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.runtime.network.PortMapping;
import org.junit.jupiter.api.Test;

class ConntrackTest {

  private static final String PROC_LINE =
      "ipv4     2 tcp      6 431999 ESTABLISHED src=127.0.0.1 dst=127.0.0.1 sport=60116"
          + " dport=30991 src=10.251.77.2 dst=10.251.77.1 sport=8080 dport=60116 [ASSURED]"
          + " mark=0 zone=0 use=2";
  private static final String TOOL_LINE =
      "tcp      6 119 TIME_WAIT src=10.251.77.1 dst=10.251.77.1 sport=44974 dport=30991"
          + " src=10.251.77.2 dst=10.251.77.1 sport=8080 dport=44974 [ASSURED] mark=0 use=1";
  private static final String UDP_LINE =
      "ipv4     2 udp      17 28 src=127.0.0.1 dst=127.0.0.1 sport=5000 dport=5353 [UNREPLIED]"
          + " src=10.251.77.2 dst=10.251.77.1 sport=53 dport=5000 mark=0 zone=0 use=2";

  @Test
  void parsesProcLinesWithOriginalAndReplyTuples() {
    Conntrack.Flow flow = Conntrack.parse(PROC_LINE).orElseThrow();
    assertThat(flow.protocol()).isEqualTo("tcp");
    assertThat(flow.state()).isEqualTo("ESTABLISHED");
    assertThat(flow.original())
        .isEqualTo(new Conntrack.Tuple("127.0.0.1", "127.0.0.1", 60116, 30991));
    assertThat(flow.reply())
        .isEqualTo(new Conntrack.Tuple("10.251.77.2", "10.251.77.1", 8080, 60116));
    assertThat(flow.live()).isTrue();
  }

  @Test
  void parsesConntrackToolLinesAndClosedFlowsAreNotLive() {
    Conntrack.Flow flow = Conntrack.parse(TOOL_LINE).orElseThrow();
    assertThat(flow.state()).isEqualTo("TIME_WAIT");
    assertThat(flow.reply().src()).isEqualTo("10.251.77.2");
    assertThat(flow.live()).isFalse();
  }

  @Test
  void udpFlowsHaveNoStateAndAreLive() {
    Conntrack.Flow flow = Conntrack.parse(UDP_LINE).orElseThrow();
    assertThat(flow.state()).isEmpty();
    assertThat(flow.reply().sport()).isEqualTo(53);
    assertThat(flow.live()).isTrue();
  }

  @Test
  void linesWithoutTwoTuplesAreSkipped() {
    assertThat(
            Conntrack.parse(
                "ipv4     2 unknown  2 454 src=10.210.61.1 dst=224.0.0.22 [UNREPLIED]"
                    + " src=224.0.0.22 dst=10.210.61.1 mark=0 zone=0 use=2"))
        .isEmpty();
    assertThat(Conntrack.parse("")).isEmpty();
  }

  @Test
  void flowsToABackendAreThoseThroughTheFrontOnly() throws Exception {
    Conntrack.Flow viaFront = Conntrack.parse(PROC_LINE).orElseThrow();
    Conntrack.Flow direct =
        Conntrack.parse(
                "ipv4 2 tcp 6 300 ESTABLISHED src=10.251.77.1 dst=10.251.77.2 sport=5000"
                    + " dport=8080 src=10.251.77.2 dst=10.251.77.1 sport=8080 dport=5000")
            .orElseThrow();
    var filter =
        ServiceLoadBalancer.flowsTo(PortMapping.tcp(30991, 8080), Backend.of("10.251.77.2", 8080));
    assertThat(filter.test(viaFront)).isTrue();
    assertThat(filter.test(direct)).as("a health probe's own connection").isFalse();
    assertThat(
            ServiceLoadBalancer.flowsTo(
                    PortMapping.tcp(30991, 8080), Backend.of("10.251.77.3", 8080))
                .test(viaFront))
        .isFalse();
    assertThat(
            ServiceLoadBalancer.flowsTo(
                    PortMapping.parse("10.0.0.1:30991:8080"), Backend.of("10.251.77.2", 8080))
                .test(viaFront))
        .as("another front address")
        .isFalse();
  }
}
