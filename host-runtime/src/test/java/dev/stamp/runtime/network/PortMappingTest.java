package dev.stamp.runtime.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampException.Kind;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PortMappingTest {

  @ParameterizedTest(name = "-p {0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "8080:80          | 0.0.0.0:8080->80/tcp",
        "80               | 0.0.0.0:0->80/tcp",
        "8080:80/udp      | 0.0.0.0:8080->80/udp",
        "8080:80/tcp      | 0.0.0.0:8080->80/tcp",
        "127.0.0.1:8080:80 | 127.0.0.1:8080->80/tcp",
        "127.0.0.1::80    | 127.0.0.1:0->80/tcp",
        "10.1.2.3::53/udp | 10.1.2.3:0->53/udp",
        "0:80             | 0.0.0.0:0->80/tcp",
        "65535:1          | 0.0.0.0:65535->1/tcp",
      })
  void parsesOnePort(String spec, String expected) throws HostRuntimeException {
    assertThat(PortMapping.parse(spec).describe()).isEqualTo(expected);
  }

  @Test
  void parsedFieldsAreTheRecordComponents() throws HostRuntimeException {
    assertThat(PortMapping.parse("127.0.0.1:8080:80/udp"))
        .isEqualTo(new PortMapping("127.0.0.1", 8080, 80, "udp"));
    assertThat(PortMapping.parse("80").ephemeral()).isTrue();
  }

  @Test
  void rangesExpandPortByPort() throws HostRuntimeException {
    assertThat(PortMapping.parseAll("8000-8002:80-82").stream().map(PortMapping::describe))
        .containsExactly("0.0.0.0:8000->80/tcp", "0.0.0.0:8001->81/tcp", "0.0.0.0:8002->82/tcp");
    assertThat(PortMapping.parseAll("127.0.0.1::7000-7001/udp"))
        .containsExactly(
            new PortMapping("127.0.0.1", 0, 7000, "udp"),
            new PortMapping("127.0.0.1", 0, 7001, "udp"));
    assertThat(PortMapping.parseAll("8080:80")).containsExactly(PortMapping.tcp(8080, 80));
  }

  @ParameterizedTest(name = "-p {0}")
  @CsvSource(
      delimiterString = " => ",
      value = {
        "99999:80 => -p 99999:80: host port 99999 is out of range (1-65535)",
        "8080:99999 => -p 8080:99999: container port 99999 is out of range (1-65535)",
        "8080:0 => -p 8080:0: container port 0 is out of range (1-65535)",
        "0 => -p 0: container port 0 is out of range (1-65535)",
        "abc:80 => -p abc:80: host port \"abc\" is not a number",
        "8080:http => -p 8080:http: container port \"http\" is not a number",
        "8080:-80 => -p 8080:-80: container port \"\" is not a number",
        "8080:80/sctp => -p 8080:80/sctp: protocol \"sctp\" is not supported (expected tcp or udp)",
        "8080:80/TCP => -p 8080:80/TCP: protocol \"TCP\" is not supported (expected tcp or udp)",
        "1.2.3:8080:80 => -p 1.2.3:8080:80: host IP \"1.2.3\" is not an IPv4 address",
        "localhost:8080:80 => -p localhost:8080:80: host IP \"localhost\" is not an IPv4 address",
        "1.2.3.256::80 => -p 1.2.3.256::80: host IP \"1.2.3.256\" is not an IPv4 address",
        "[::1]:8080:80 => -p [::1]:8080:80: IPv6 host addresses are not supported",
        "1:2:3:4 => -p 1:2:3:4: expected [HOST_IP:][HOST_PORT:]CONTAINER_PORT[/tcp|/udp], e.g. 8080:80",
        ":80 => -p :80: expected [HOST_IP:][HOST_PORT:]CONTAINER_PORT[/tcp|/udp], e.g. 8080:80",
        "8080: => -p 8080:: container port \"\" is not a number",
        "8000-8001:80 => -p 8000-8001:80: host ports 8000-8001 and container ports 80 differ in count",
        "8000:80-81 => -p 8000:80-81: host ports 8000 and container ports 80-81 differ in count",
        "8002-8000:80-82 => -p 8002-8000:80-82: host port range 8002-8000 ends before it starts",
        "0-5:80-85 => -p 0-5:80-85: host port range 0-5 cannot start at 0",
        "8080:80/ => -p 8080:80/: protocol \"\" is not supported (expected tcp or udp)",
      })
  void rejectsWithOneLineNamingTheInput(String spec, String message) {
    assertThatThrownBy(() -> PortMapping.parseAll(spec))
        .isInstanceOf(HostRuntimeException.class)
        .hasMessage(message)
        .satisfies(e -> assertThat(((HostRuntimeException) e).kind()).isEqualTo(Kind.BAD_INPUT));
  }

  @Test
  void emptyValueIsNamed() {
    assertThatThrownBy(() -> PortMapping.parseAll(""))
        .hasMessage(
            "-p \"\": expected [HOST_IP:][HOST_PORT:]CONTAINER_PORT[/tcp|/udp], e.g. 8080:80");
  }

  @Test
  void singleParseRefusesRanges() {
    assertThatThrownBy(() -> PortMapping.parse("8000-8001:80-81"))
        .hasMessage("-p 8000-8001:80-81: expected a single port, not a range");
  }

  @Test
  void aCallerNamesTheFieldItReadTheSpecFrom() throws Exception {
    assertThatThrownBy(() -> PortMapping.parseAll("services.web.ports[1]", "8080:99999"))
        .hasMessage(
            "services.web.ports[1] 8080:99999: container port 99999 is out of range (1-65535)");
    assertThatThrownBy(() -> PortMapping.parse("ports", "8000-8001:80-81"))
        .hasMessage("ports 8000-8001:80-81: expected a single port, not a range");
    assertThat(PortMapping.parseAll("ports", "8080:80")).isEqualTo(PortMapping.parseAll("8080:80"));
  }

  @Test
  void factoryValidatesEveryField() {
    assertThatThrownBy(() -> PortMapping.of("0.0.0.0", 70000, 80, "tcp"))
        .hasMessage(
            "port mapping 0.0.0.0:70000->80/tcp: host port 70000 is out of range"
                + " (1-65535, or 0 for any free port)");
    assertThatThrownBy(() -> PortMapping.of("0.0.0.0", 80, 80, "icmp"))
        .hasMessage(
            "port mapping 0.0.0.0:80->80/icmp: protocol \"icmp\" is not supported"
                + " (expected tcp or udp)");
    assertThatThrownBy(() -> PortMapping.of("host", 80, 80, "tcp"))
        .hasMessage("port mapping host:80->80/tcp: host IP \"host\" is not an IPv4 address");
  }

  @Test
  void clashesOnSamePortProtocolAndOverlappingAddress() throws HostRuntimeException {
    PortMapping any = PortMapping.tcp(8080, 80);
    assertThat(any.clashesWith(PortMapping.parse("127.0.0.1:8080:90"))).isTrue();
    assertThat(PortMapping.parse("127.0.0.1:8080:90").clashesWith(any)).isTrue();
    assertThat(any.clashesWith(PortMapping.parse("8080:80/udp"))).isFalse();
    assertThat(any.clashesWith(PortMapping.parse("8081:80"))).isFalse();
    assertThat(
            PortMapping.parse("127.0.0.1:8080:80")
                .clashesWith(PortMapping.parse("127.0.0.2:8080:80")))
        .isFalse();
    assertThat(List.of(any)).allMatch(p -> p.withHostPort(9).hostPort() == 9);
  }
}
