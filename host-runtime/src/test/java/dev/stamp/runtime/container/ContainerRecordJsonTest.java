package dev.stamp.runtime.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.stamp.runtime.network.PortMapping;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code containers/<id>/config.json} byte for byte: the file a container's removal works from,
 * whatever the Java type that holds it is called. Every field is set, so a renamed or reordered
 * component shows here. {@link #OLD} is the object mapper that wrote config.json before {@link
 * ContainerRecordJson} (streaming, no mapper): files written by either are read by the other.
 */
class ContainerRecordJsonTest {

  /** How config.json was written and read before the streaming codec. */
  static final ObjectMapper OLD =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

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
  void writesTheSameBytesAsEver() {
    assertThat(text(ContainerRecordJson.write(full()))).isEqualTo(GOLDEN);
  }

  @Test
  void readsBackEqual() throws Exception {
    assertThat(ContainerRecordJson.read(bytes(GOLDEN), "config.json")).isEqualTo(full());
  }

  @Test
  void theOldMapperWroteAndReadsTheSameBytes() throws Exception {
    assertThat(OLD.writeValueAsString(full())).isEqualTo(GOLDEN);
    assertThat(OLD.readValue(ContainerRecordJson.write(full()), ContainerRecord.class))
        .isEqualTo(full());
  }

  @Test
  void nullsAndEmptiesAreWrittenAsTheMapperDid() throws Exception {
    ContainerRecord sparse = sparse();
    byte[] written = ContainerRecordJson.write(sparse);
    assertThat(text(written)).isEqualTo(OLD.writeValueAsString(sparse));
    assertThat(ContainerRecordJson.read(written, "config.json")).isEqualTo(sparse);
    assertThat(OLD.readValue(written, ContainerRecord.class)).isEqualTo(sparse);
  }

  @Test
  void aRecordFromBeforeAliasesLinksAndSeccompReadsAsTheMapperReadIt() throws Exception {
    String old =
        """
        {"id":"%s","name":null,"image":"base:1","uid":5,"memoryBytes":"7","tty":true,
         "intent":{"cgroupDirs":[],"nameFile":null,"network":false,"extra":{"a":[1,2]}},
         "someFutureField":[{"x":null}],"ports":[{"hostIp":"0.0.0.0","hostPort":80,
         "containerPort":8080,"protocol":"tcp","note":"x"}]}
        """
            .formatted(ID);
    ContainerRecord read = ContainerRecordJson.read(bytes(old), "config.json");
    assertThat(read).isEqualTo(OLD.readValue(old, ContainerRecord.class));
    assertThat(read.aliases()).isEmpty();
    assertThat(read.links()).isEmpty();
    assertThat(read.seccomp()).isNull();
    assertThat(read.memoryBytes()).isEqualTo(7);
    assertThat(read.ports()).containsExactly(new PortMapping("0.0.0.0", 80, 8080, "tcp"));
  }

  @Test
  void aFileWrittenByTheOldMapperIsReadFromDisk(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("config.json");
    OLD.writeValue(file.toFile(), full());
    assertThat(ContainerRecordJson.read(file)).isEqualTo(full());
    ContainerRecordJson.write(sparse(), file);
    assertThat(OLD.readValue(file.toFile(), ContainerRecord.class)).isEqualTo(sparse());
  }

  @Test
  void aBrokenFileIsAnIoExceptionNamingTheFileAndTheField(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("config.json");
    Files.writeString(file, "{\"id\":\"x\",\"uid\":[1]}");
    assertThatThrownBy(() -> ContainerRecordJson.read(file))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("uid");
    Files.writeString(file, "{\"id\":\"x\",\"args\":[");
    assertThatThrownBy(() -> ContainerRecordJson.read(file)).isInstanceOf(IOException.class);
    Files.writeString(file, "{\"uid\":4294967296}");
    assertThatThrownBy(() -> ContainerRecordJson.read(file))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("uid");
    Files.writeString(file, "");
    assertThatThrownBy(() -> ContainerRecordJson.read(file))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(file.toString());
  }

  static ContainerRecord sparse() {
    return new ContainerRecord(
        ID,
        null,
        null,
        null,
        "2026-12-06T12:00:00Z",
        List.of(),
        null,
        null,
        List.of("true"),
        null,
        null,
        null,
        0,
        0,
        null,
        null,
        List.of(),
        0,
        0,
        0,
        false,
        false,
        "none",
        null,
        false,
        9,
        0,
        null,
        null,
        null,
        false,
        false,
        null);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
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
