package dev.stamp.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.runtime.container.ContainerSpec;
import dev.stamp.runtime.seccomp.SeccompPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI's parsing of container flags into a spec (no runtime needed without --network). */
class ContainerOptionsTest {

  @TempDir Path tmp;

  @Test
  void keyWithoutValueComesFromTheInjectedEnvironmentOnly() throws Exception {
    String mine = System.getenv().keySet().iterator().next(); // this JVM has it
    Path file = Files.writeString(tmp.resolve("env"), "# c\nFROM_FILE=f\nFILE_KEY\n" + mine + "\n");
    ContainerOptions o = new ContainerOptions();
    o.args = List.of("img:1", "true");
    o.envFiles = List.of(file);
    o.env = List.of("A=1", "FROM_CALLER", mine);
    o.callerEnv = Map.of("FROM_CALLER", "c", "FILE_KEY", "k");
    ContainerSpec spec = o.builder(null).build();
    assertThat(spec.env())
        .containsExactly(
            Map.entry("FROM_FILE", "f"),
            Map.entry("FILE_KEY", "k"),
            Map.entry("A", "1"),
            Map.entry("FROM_CALLER", "c"));
    assertThat(spec.env()).doesNotContainKey(mine);
  }

  @Test
  void everyBadFlagIsReportedAtOnceByItsFlag() {
    ContainerOptions o = new ContainerOptions();
    o.args = List.of("img:1");
    o.memory = "12q";
    o.cpus = "lots";
    o.pidsLimit = "-1";
    o.volumes = List.of("relative", "/srv:/data");
    o.envFiles = List.of(tmp.resolve("missing"));
    assertThatThrownBy(() -> o.builder(null).memoryBytes(1).workdir("rel").build())
        .hasMessageStartingWith("--env-file " + tmp.resolve("missing") + ": cannot read (")
        .hasMessageEndingWith(
            "-v relative: expected SRC:DST[:ro|rw]; --memory 12q: expected a size like 256m or"
                + " 1g; --cpus lots: expected a number like 0.5 or 2; --pids-limit -1: expected a"
                + " positive whole number; --workdir rel: must be an absolute path; --memory 1:"
                + " the minimum is 6m");
  }

  @Test
  void cpusBeyondThisMachinesAreLeftToTheHostThatRunsIt() throws Exception {
    ContainerOptions o = new ContainerOptions();
    o.args = List.of("img:1");
    o.cpus = Integer.toString(Runtime.getRuntime().availableProcessors() + 64);
    assertThat(o.builder(null).build().limits().cpuMillis())
        .isEqualTo(1000L * (Runtime.getRuntime().availableProcessors() + 64));
  }

  @Test
  void securityOptTakesDockersSeccompSpellings() throws Exception {
    ContainerOptions o = new ContainerOptions();
    o.args = List.of("img:1");
    assertThat(o.builder(null).build().seccomp()).isEqualTo(SeccompPolicy.DEFAULT);
    o.securityOpts = List.of("no-new-privileges", "seccomp=unconfined");
    assertThat(o.builder(null).build().seccomp()).isEqualTo(SeccompPolicy.UNCONFINED);
    Path file = Files.writeString(tmp.resolve("p.json"), "{\"defaultAction\":\"SCMP_ACT_ALLOW\"}");
    o.securityOpts = List.of("seccomp:" + file);
    assertThat(o.builder(null).build().seccomp())
        .isInstanceOfSatisfying(
            SeccompPolicy.Custom.class,
            c -> assertThat(c.profile().source()).isEqualTo(file.toString()));
    o.securityOpts = List.of("label=disable", "seccomp=" + tmp.resolve("nope.json"));
    assertThatThrownBy(() -> o.builder(null).build())
        .hasMessage(
            "--security-opt label=disable: Stamp supports seccomp=FILE, seccomp=unconfined and"
                + " no-new-privileges (always on); --security-opt seccomp="
                + tmp.resolve("nope.json")
                + ": cannot read the seccomp profile "
                + tmp.resolve("nope.json")
                + " (no such file)");
  }
}
