package dev.stamp.runtime.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
  void everyProblemIsReportedAtOnce() {
    assertThatThrownBy(
            () ->
                ContainerSpec.builder()
                    .rootfs(tmp)
                    .memory("12q")
                    .cpus("lots")
                    .pidsLimit("-1")
                    .volume("relative")
                    .workdir("rel")
                    .build())
        .hasMessage(
            "--memory 12q: expected a size like 256m or 1g; --cpus lots: expected a number like"
                + " 0.5 or 2; --pids-limit -1: expected a positive whole number; -v relative:"
                + " expected SRC:DST[:ro|rw]; --workdir rel: must be an absolute path");
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
    ContainerConfig own = config(null, null);
    ContainerConfig explicit = config(upper.toString(), work.toString());
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
                + ": not a directory; give an image or --rootfs, not"
                + " both");
    assertThatThrownBy(() -> new ContainerSpec.OverlayRootfs(List.of(), upper, work))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private ContainerConfig config(String upper, String work) {
    return new ContainerConfig(
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
        new ContainerConfig.Intent(List.of(), null, false),
        List.of(),
        List.of(),
        false,
        false);
  }

  @Test
  void imageOrRootfsIsRequired() {
    assertThatThrownBy(() -> ContainerSpec.builder().build())
        .hasMessage("an image (or --rootfs DIR) is required");
  }

  @Test
  void envFileSkipsCommentsAndBlankLines() throws Exception {
    Path file = tmp.resolve("env");
    Files.writeString(file, "# comment\nA=1\n\nB=two words\n");
    ContainerSpec spec = ContainerSpec.builder().rootfs(tmp).envFile(file).env("C=3").build();
    assertThat(spec.env()).containsExactly("A=1", "B=two words", "C=3");
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
