package dev.stamp.runtime.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampException;
import dev.stamp.runtime.network.NetworkMode;
import dev.stamp.runtime.network.PortMapping;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContainerSpecTest {

  @TempDir Path tmp;

  @Test
  void sizesParseLikeDocker() {
    assertThat(ByteSize.parse("256m")).contains(256L << 20);
    assertThat(ByteSize.parse("1g")).contains(1L << 30);
    assertThat(ByteSize.parse("1.5G")).contains(3L << 29);
    assertThat(ByteSize.parse("512kb")).contains(512L << 10);
    assertThat(ByteSize.parse("1048576")).contains(1L << 20);
    assertThat(ByteSize.parse("12q")).isEmpty();
    assertThat(ByteSize.parse("")).isEmpty();
  }

  @Test
  void everyProblemIsReportedAtOnceUnderTheCallersFieldPaths() {
    ContainerSpec.FieldNames compose =
        field ->
            switch (field) {
              case MEMORY -> "services.web.deploy.resources.limits.memory";
              case CPUS -> "services.web.deploy.resources.limits.cpus";
              default -> "services.web." + field.specPath();
            };
    assertThatThrownBy(
            () ->
                ContainerSpec.builder(compose)
                    .image("web:1")
                    .memoryBytes(1 << 20)
                    .cpuMillis(1)
                    .pidsLimit(-1)
                    .mount(new MountSpec("relative", "data", false))
                    .workdir("rel")
                    .env("", "x")
                    .name("no spaces")
                    .build())
        .isInstanceOf(HostRuntimeException.class)
        .hasMessage(
            "services.web.name no spaces: use letters, digits, '_', '.', '-' (max 128);"
                + " services.web.env : not a variable name;"
                + " services.web.workdir rel: must be an absolute path;"
                + " services.web.mounts relative:data: target must be an absolute path;"
                + " services.web.deploy.resources.limits.memory 1m: the minimum is 6m;"
                + " services.web.deploy.resources.limits.cpus 0.001: the minimum is 0.01;"
                + " services.web.limits.pids -1: expected a positive whole number")
        .extracting(e -> ((HostRuntimeException) e).kind())
        .isEqualTo(StampException.Kind.BAD_INPUT);
  }

  @Test
  void problemsOfTheCallersParsersJoinTheBuildersInOneMessage() {
    ContainerSpec.Builder b = ContainerSpec.builder(f -> "--" + f.specPath()).rootfs(tmp);
    for (String text : List.of("12q", "1k")) {
      try {
        b.memoryBytes(SpecText.memoryBytes("--memory", text));
      } catch (HostRuntimeException e) {
        b.problem(e.getMessage());
      }
    }
    assertThatThrownBy(b::build)
        .hasMessage(
            "--memory 12q: expected a size like 256m or 1g; --limits.memory 1k: the minimum is 6m");
  }

  @Test
  void durationsReadAsDockerWritesThem() throws Exception {
    assertThat(SpecText.duration("--x", "500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(SpecText.duration("--x", "1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(SpecText.duration("--x", "2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(SpecText.duration("--x", "1h")).isEqualTo(Duration.ofHours(1));
    assertThatThrownBy(() -> SpecText.duration("--health-interval", "5"))
        .hasMessage("--health-interval 5: expected a duration like 500ms, 1s, 1.5s or 2m");
  }

  @Test
  void textParsersNameTheFieldTheyWereGiven() {
    assertThatThrownBy(() -> SpecText.cpuMillis("--cpus", "lots"))
        .hasMessage("--cpus lots: expected a number like 0.5 or 2");
    assertThatThrownBy(() -> SpecText.pidsLimit("x.pids", "-1"))
        .hasMessage("x.pids -1: expected a positive whole number");
    assertThatThrownBy(() -> MountSpec.parse("volumes[0]", "relative"))
        .hasMessage("volumes[0] relative: expected SRC:DST[:ro|rw]");
    assertThatThrownBy(() -> ContainerSpec.Link.parse("links[1]", "db:bad_alias!"))
        .hasMessage("links[1] db:bad_alias!: alias \"bad_alias!\" is not a valid host name");
  }

  @Test
  void keyWithoutValueTakesTheCallersMapNeverThisProcesssEnvironment() throws Exception {
    String mine = System.getenv().keySet().iterator().next(); // set in this JVM (PATH, HOME, ...)
    assertThat(SpecText.env("-e", mine, Map.of())).isEmpty();
    assertThat(SpecText.env("-e", "ONLY_IN_MAP", Map.of("ONLY_IN_MAP", "v")).orElseThrow())
        .isEqualTo(Map.entry("ONLY_IN_MAP", "v"));
    assertThat(SpecText.env("-e", "A=b=c", Map.of()).orElseThrow())
        .isEqualTo(Map.entry("A", "b=c"));
    assertThatThrownBy(() -> SpecText.env("-e", "=x", Map.of()))
        .hasMessage("-e =x: expected KEY=VALUE");
    // a spec holds exactly what it was given: nothing of this process's environment
    ContainerSpec spec = ContainerSpec.builder().rootfs(tmp).env("A", "1").build();
    assertThat(spec.env()).containsExactly(Map.entry("A", "1"));
  }

  @Test
  void cpusAreNotCheckedAgainstTheCallersCpuCountOnlyWhereTheContainerRuns() throws Exception {
    long many = 1000L * (Runtime.getRuntime().availableProcessors() + 64);
    assertThat(SpecText.cpuMillis("--cpus", Long.toString(many / 1000))).isEqualTo(many);
    ContainerSpec spec = ContainerSpec.builder().rootfs(tmp).cpuMillis(many).build();
    assertThat(spec.limits().cpuMillis()).isEqualTo(many);
    ContainerFactory.checkCpus(ContainerSpec.builder().rootfs(tmp).cpuMillis(2000).build(), 2);
    assertThatThrownBy(() -> ContainerFactory.checkCpus(spec, 2))
        .hasMessageContaining("this host has 2 CPUs");
  }

  @Test
  void toBuilderCopiesEveryField() throws Exception {
    Path low = Files.createDirectories(tmp.resolve("low"));
    Path upper = Files.createDirectories(tmp.resolve("upper"));
    Path work = Files.createDirectories(tmp.resolve("work"));
    ContainerSpec minimal = ContainerSpec.builder().image("img").build();
    List<ContainerSpec> full =
        List.of(
            everything(ContainerSpec.builder().image("img:1")),
            everything(ContainerSpec.builder().rootfs(tmp)),
            everything(
                ContainerSpec.builder()
                    .overlay(new ContainerSpec.OverlayRootfs(List.of(low), upper, work))));
    for (RecordComponent c : ContainerSpec.class.getRecordComponents()) {
      Object base = c.getAccessor().invoke(minimal);
      assertThat(full)
          .as("a fixture sets %s (add the new field to everything())", c.getName())
          .anySatisfy(s -> assertThat(get(c, s)).isNotEqualTo(base));
    }
    for (ContainerSpec spec : full) {
      assertThat(spec.toBuilder().build()).isEqualTo(spec);
      for (RecordComponent c : ContainerSpec.class.getRecordComponents()) {
        if (!c.getName().equals("name")) {
          assertThat(get(c, spec.withName("other"))).as(c.getName()).isEqualTo(get(c, spec));
        }
      }
    }
  }

  private static Object get(RecordComponent c, ContainerSpec spec) {
    try {
      return c.getAccessor().invoke(spec);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }

  private static ContainerSpec everything(ContainerSpec.Builder b) throws Exception {
    return b.name("n")
        .command(List.of("sh", "-c", "true"))
        .entrypoint(List.of("/bin/entry"))
        .env("A", "1")
        .env("B", "2")
        .workdir("/w")
        .user("1:2")
        .hostname("h")
        .mount(new MountSpec("/srv", "/data", true))
        .memoryBytes(64L << 20)
        .cpuMillis(500)
        .pidsLimit(42)
        .readOnly(true)
        .init(true)
        .network(new NetworkMode.Bridge("net1"))
        .port(PortMapping.of("127.0.0.1", 8080, 80, "tcp"))
        .autoRemove(true)
        .stopSignal("SIGUSR1")
        .stopTimeout(Duration.ofSeconds(3))
        .publishAll(true)
        .networkAlias("alias")
        .link(new ContainerSpec.Link("db", "database"))
        .tty(true)
        .openStdin(true)
        .seccomp(dev.stamp.runtime.seccomp.SeccompPolicy.UNCONFINED)
        .build();
  }

  @Test
  void anOverlayRootfsGivesTheOverlayItsUpperAndWorkDirs() throws Exception {
    Path low = Files.createDirectories(tmp.resolve("low"));
    Path high = Files.createDirectories(tmp.resolve("high"));
    Path upper = Files.createDirectories(tmp.resolve("upper"));
    Path work = Files.createDirectories(tmp.resolve("work"));
    ContainerSpec spec =
        ContainerSpec.builder()
            .overlay(new ContainerSpec.OverlayRootfs(List.of(low, high), upper, work))
            .command(List.of("true"))
            .build();
    assertThat(spec.overlay().orElseThrow().upperDir()).isEqualTo(upper);
    ContainerRecord own = config(null, null);
    ContainerRecord explicit = config(upper.toString(), work.toString());
    Path dir = tmp.resolve("containers/x");
    assertThat(ShimSpec.overlayOptions(own, dir))
        .isEqualTo(
            "lowerdir="
                + high
                + ":"
                + low
                + ",upperdir="
                + dir.resolve("upper")
                + ",workdir="
                + dir.resolve("work"));
    assertThat(ShimSpec.overlayOptions(explicit, dir))
        .isEqualTo("lowerdir=" + high + ":" + low + ",upperdir=" + upper + ",workdir=" + work);

    assertThatThrownBy(
            () ->
                ContainerSpec.builder()
                    .image("busybox")
                    .overlay(
                        new ContainerSpec.OverlayRootfs(List.of(low), tmp.resolve("nope"), work))
                    .build())
        .hasMessage(
            "overlay "
                + tmp.resolve("nope")
                + ": not a directory; give an image or rootfs, not"
                + " both");
    assertThatThrownBy(() -> new ContainerSpec.OverlayRootfs(List.of(), upper, work))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("an overlay rootfs needs at least one lower dir");
  }

  private ContainerRecord config(String upper, String work) {
    return new ContainerRecord(
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        null,
        "img",
        "",
        "now",
        List.of(tmp.resolve("low").toString(), tmp.resolve("high").toString()),
        upper,
        work,
        List.of("true"),
        List.of(),
        null,
        "",
        0,
        0,
        List.of(),
        "host",
        List.of(),
        0,
        0,
        0,
        false,
        false,
        "none",
        List.of(),
        false,
        15,
        10,
        new ContainerRecord.Intent(List.of(), null, false),
        List.of(),
        List.of(),
        false,
        false,
        null);
  }

  @Test
  void imageOrRootfsIsRequired() {
    assertThatThrownBy(() -> ContainerSpec.builder().build())
        .hasMessage("an image (or rootfs DIR) is required");
  }

  @Test
  void envFileSkipsCommentsAndBlankLinesAndReportsEveryBadLine() throws Exception {
    assertThat(SpecText.envFile("f:", "# comment\nA=1\n\nB=two words\nHOME\nK\n", Map.of("K", "k")))
        .containsExactly(Map.entry("A", "1"), Map.entry("B", "two words"), Map.entry("K", "k"));
    assertThatThrownBy(() -> SpecText.envFile("f:", "=1\nok=1\n =2\n", Map.of()))
        .hasMessage("f: =1: expected KEY=VALUE; f: =2: expected KEY=VALUE");
  }

  @Test
  void mountsParseBindsVolumesAndOptions() throws Exception {
    assertThat(MountSpec.parse("/srv:/data:ro")).isEqualTo(new MountSpec("/srv", "/data", true));
    assertThat(MountSpec.parse("cache:/var/cache").isBind()).isFalse();
    assertThatThrownBy(() -> MountSpec.parse("/srv:/proc/x")).hasMessageContaining("cannot mount");
    assertThatThrownBy(() -> MountSpec.parse("/srv:/data:rx"))
        .hasMessageContaining("unknown option");
  }

  @Test
  void commandFollowsDockersEntrypointAndCmdRules() throws Exception {
    ResolvedImage image =
        new ResolvedImage(
            "img",
            "",
            List.of(tmp),
            List.of(),
            List.of("/entry"),
            List.of("default"),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            List.of());
    assertThat(ContainerFactory.command(ContainerSpec.builder().rootfs(tmp).build(), image))
        .containsExactly("/entry", "default");
    assertThat(
            ContainerFactory.command(
                ContainerSpec.builder().rootfs(tmp).command(List.of("x")).build(), image))
        .containsExactly("/entry", "x");
    assertThat(
            ContainerFactory.command(
                ContainerSpec.builder().rootfs(tmp).entrypoint("/other").build(), image))
        .containsExactly("/other");
    assertThatThrownBy(
            () ->
                ContainerFactory.command(
                    ContainerSpec.builder().rootfs(tmp).build(), ResolvedImage.ofDirectory(tmp)))
        .hasMessageContaining("no command specified");
  }
}
