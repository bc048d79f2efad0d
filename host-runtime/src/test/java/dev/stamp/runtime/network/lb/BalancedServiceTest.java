package dev.stamp.runtime.network.lb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.runtime.fs.JsonRecordDir;
import dev.stamp.runtime.network.PortMapping;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code ROOT/lb/services/NAME.json} keeps its format (the class was lb.ServiceRecord). */
class BalancedServiceTest {

  static final String ON_DISK =
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
            PortMapping.parse("127.0.0.1:30001:80"),
            List.of(Backend.of("10.88.0.2")),
            List.of("10.88.0.0/16"),
            List.of("stamp0"),
            BalancedService.PUBLISHED);
    String json = JsonRecordDir.JSON.writeValueAsString(record);
    assertThat(json).isEqualTo(ON_DISK);
    assertThat(JsonRecordDir.JSON.readValue(ON_DISK, BalancedService.class)).isEqualTo(record);
  }
}
