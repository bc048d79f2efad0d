package dev.stamp.runtime.network.lb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.runtime.fs.JsonRecordDir;
import dev.stamp.runtime.network.PortMapping;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code ROOT/lb/services/NAME.json}: its format, and records of the format before services had
 * several fronts (one {@code front}) still read (the class was lb.ServiceRecord).
 */
class BalancedServiceTest {

  static final String ON_DISK =
      """
      {
        "name" : "web",
        "fronts" : [ {
          "hostIp" : "127.0.0.1",
          "hostPort" : 30001,
          "containerPort" : 80,
          "protocol" : "tcp"
        } ],
        "backends" : [ {
          "address" : "10.88.0.2",
          "port" : 0,
          "weight" : 1
        } ],
        "subnets" : [ "10.88.0.0/16" ],
        "bridges" : [ "stamp0" ],
        "state" : "published"
      }""";

  static final String ONE_FRONT =
      """
      {
        "name" : "web",
        "front" : {
          "hostIp" : "127.0.0.1",
          "hostPort" : 30001,
          "containerPort" : 80,
          "protocol" : "tcp"
        },
        "backends" : [ {
          "address" : "10.88.0.2",
          "port" : 0,
          "weight" : 1
        } ],
        "subnets" : [ "10.88.0.0/16" ],
        "bridges" : [ "stamp0" ],
        "state" : "published"
      }""";

  @Test
  void onDiskJsonFormatIsUnchanged() throws Exception {
    BalancedService record =
        new BalancedService(
            "web",
            List.of(PortMapping.parse("127.0.0.1:30001:80")),
            List.of(Backend.of("10.88.0.2")),
            List.of("10.88.0.0/16"),
            List.of("stamp0"),
            BalancedService.PUBLISHED);
    String json = JsonRecordDir.json().writeValueAsString(record);
    assertThat(json).isEqualTo(ON_DISK);
    assertThat(JsonRecordDir.json().readValue(ON_DISK, BalancedService.class)).isEqualTo(record);
    assertThat(JsonRecordDir.json().readValue(ONE_FRONT, BalancedService.class))
        .as("a record of the one-front format")
        .isEqualTo(record);
  }
}
