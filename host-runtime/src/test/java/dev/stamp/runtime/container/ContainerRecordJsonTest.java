package dev.stamp.runtime.container;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.runtime.network.PortMapping;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code containers/<id>/config.json} byte for byte: the file a container's removal works from,
 * whatever the Java type that holds it is called. Every field is set, so a renamed or reordered
 * component shows here.
 */
class ContainerRecordJsonTest {

  static final String ID = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

  static ContainerRecord full() {
    return new ContainerRecord(
        ID,
        "web",
        "base:1",
        "sha256:" + "ab".repeat(32),
        "2026-12-06T12:00:00Z",
        List.of("/r/layers/a/diff", "/r/layers/b/diff"),
        "/r/up",
        "/r/work",
        List.of("httpd", "-f"),
        List.of("PATH=/bin", "A=1"),
        "/www",
        "app",
        1000,
        1000,
        List.of(50),
        "web-host",
        List.of(
            new ContainerRecord.Mount("/host/data", "/data", true, null),
            new ContainerRecord.Mount("/r/volumes/v/_data", "/v", false, "v")),
        268435456L,
        500,
        64,
        true,
        true,
        "bridge",
        List.of(new PortMapping("127.0.0.1", 8080, 80, "tcp")),
        true,
        15,
        10,
        new ContainerRecord.Intent(
            List.of("/sys/fs/cgroup/memory/stamp/" + ID), "/r/names/web", true),
        List.of("web", "www"),
        List.of(new ContainerSpec.Link("db", "database")),
        true,
        true,
        "sha256:0123");
  }

  @Test
  void writesTheSameBytesAsEver() throws Exception {
    String json = ContainerStore.json().writeValueAsString(full());
    assertThat(json).isEqualTo(GOLDEN);
  }

  @Test
  void readsBackEqual() throws Exception {
    assertThat(ContainerStore.json().readValue(GOLDEN, ContainerRecord.class)).isEqualTo(full());
  }

  static final String GOLDEN =
      """
      {
        "id" : "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "name" : "web",
        "image" : "base:1",
        "imageId" : "sha256:abababababababababababababababababababababababababababababababab",
        "created" : "2026-12-06T12:00:00Z",
        "lowerDirs" : [ "/r/layers/a/diff", "/r/layers/b/diff" ],
        "upperDir" : "/r/up",
        "workDir" : "/r/work",
        "args" : [ "httpd", "-f" ],
        "env" : [ "PATH=/bin", "A=1" ],
        "workdir" : "/www",
        "user" : "app",
        "uid" : 1000,
        "gid" : 1000,
        "groups" : [ 50 ],
        "hostname" : "web-host",
        "mounts" : [ {
          "source" : "/host/data",
          "target" : "/data",
          "readOnly" : true,
          "volume" : null
        }, {
          "source" : "/r/volumes/v/_data",
          "target" : "/v",
          "readOnly" : false,
          "volume" : "v"
        } ],
        "memoryBytes" : 268435456,
        "cpuMillis" : 500,
        "pidsLimit" : 64,
        "readOnly" : true,
        "init" : true,
        "network" : "bridge",
        "ports" : [ {
          "hostIp" : "127.0.0.1",
          "hostPort" : 8080,
          "containerPort" : 80,
          "protocol" : "tcp"
        } ],
        "autoRemove" : true,
        "stopSignal" : 15,
        "stopTimeoutSeconds" : 10,
        "intent" : {
          "cgroupDirs" : [ "/sys/fs/cgroup/memory/stamp/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" ],
          "nameFile" : "/r/names/web",
          "network" : true
        },
        "aliases" : [ "web", "www" ],
        "links" : [ {
          "name" : "db",
          "alias" : "database"
        } ],
        "tty" : true,
        "openStdin" : true,
        "seccomp" : "sha256:0123"
      }""";
}
