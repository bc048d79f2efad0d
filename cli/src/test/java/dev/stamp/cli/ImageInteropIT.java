package dev.stamp.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.image.Image;
import dev.stamp.runtime.image.ImageStore;
import dev.stamp.runtime.layer.LayerStore;
import dev.stamp.runtime.linux.LibC;
import dev.stamp.testkit.BusyboxRootfs;
import dev.stamp.testkit.RequiresRoot;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Stamp's image store is a standard OCI layout: umoci and skopeo read what `stamp import` made. */
@RequiresRoot
class ImageInteropIT {

  @TempDir Path tmp;

  @Test
  void importedBusyboxIsListedAndReadableByUmociAndSkopeoAndRunsFromAnOverlay() throws Exception {
    assumeTrue(BusyboxRootfs.available(), "needs busybox-static");
    Path root = tmp.resolve("root");
    Path tar =
        BusyboxRootfs.tar(BusyboxRootfs.create(tmp.resolve("rootfs")), tmp.resolve("bb.tar"));

    assertThat(stamp(root, "import", "--change", "CMD [\"sh\"]", tar.toString(), "bb:1")[0])
        .isEqualTo("0");
    String[] images = stamp(root, "images");
    assertThat(images[1]).containsPattern("(?m)^bb +1 +[0-9a-f]{12} ");

    Image image = ImageStore.open(new StampRoot(root)).resolve("bb:1");
    String ref = "docker.io/library/bb:1";

    Path bundle = tmp.resolve("bundle");
    String umoci =
        run("umoci", "unpack", "--image", root.resolve("images") + ":" + ref, bundle.toString());
    assertThat(bundle.resolve("rootfs/bin/busybox")).isRegularFile();
    assertThat(Files.readSymbolicLink(bundle.resolve("rootfs/bin/sh")).toString())
        .as(umoci)
        .isEqualTo("busybox");
    assertThat(Files.readString(bundle.resolve("config.json"))).contains("\"sh\"");

    String inspect = run("skopeo", "inspect", "oci:" + root.resolve("images") + ":" + ref);
    assertThat(inspect).contains("\"Digest\": \"" + image.manifestDigest() + "\"");
    assertThat(inspect).contains(image.layers().get(0).digest().toString());

    // The unpacked layer works as an overlay lowerdir: busybox runs from the merged tree.
    List<Path> lowers =
        LayerStore.open(new StampRoot(root), ImageStore.open(new StampRoot(root))).lowerDirs(image);
    Path merged = Files.createDirectories(tmp.resolve("merged"));
    // Without an upperdir overlayfs needs two lowerdirs: an empty one goes at the bottom.
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    assertThat(
            LibC.INSTANCE.mount(
                "overlay",
                merged.toString(),
                "overlay",
                LibC.MS_RDONLY,
                "lowerdir=" + lowers.get(0) + ":" + empty))
        .as(LibC.describe("mount"))
        .isZero();
    try {
      assertThat(run(merged.resolve("bin/busybox").toString(), "echo", "ran from overlay"))
          .isEqualTo("ran from overlay\n");
      assertThat(Files.readString(merged.resolve("etc/passwd"))).contains("app:x:1000");
    } finally {
      assertThat(LibC.INSTANCE.umount2(merged.toString(), LibC.MNT_DETACH)).isZero();
    }
  }

  static String[] stamp(Path root, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = StampCli.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    String[] all = new String[args.length + 2];
    all[0] = "--root";
    all[1] = root.toString();
    System.arraycopy(args, 0, all, 2, args.length);
    int code = cli.execute(all);
    return new String[] {Integer.toString(code), out.toString(), err.toString()};
  }

  static String run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", command) + "\n" + out).isZero();
    return out;
  }
}
