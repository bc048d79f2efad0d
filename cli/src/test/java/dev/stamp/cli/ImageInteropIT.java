package dev.stamp.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.image.Image;
import dev.stamp.runtime.image.ImageStore;
import dev.stamp.runtime.layer.LayerStore;
import dev.stamp.runtime.linux.LibC;
import dev.stamp.testkit.BusyboxRootfs;
import dev.stamp.testkit.HostCommand;
import dev.stamp.testkit.RequiresRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    StampCliInProcess cli = new StampCliInProcess(root);
    assertThat(cli.code("import", "--change", "CMD [\"sh\"]", tar.toString(), "bb:1")).isEqualTo(0);
    assertThat(cli.run("images").out()).containsPattern("(?m)^bb +1 +[0-9a-f]{12} ");

    Image image = ImageStore.open(new StampRoot(root)).resolve("bb:1");
    String ref = "docker.io/library/bb:1";

    Path bundle = tmp.resolve("bundle");
    String umoci =
        HostCommand.run(
                "umoci", "unpack", "--image", root.resolve("images") + ":" + ref, bundle.toString())
            .ok();
    assertThat(bundle.resolve("rootfs/bin/busybox")).isRegularFile();
    assertThat(Files.readSymbolicLink(bundle.resolve("rootfs/bin/sh")).toString())
        .as(umoci)
        .isEqualTo("busybox");
    assertThat(Files.readString(bundle.resolve("config.json"))).contains("\"sh\"");

    String inspect =
        HostCommand.run("skopeo", "inspect", "oci:" + root.resolve("images") + ":" + ref).ok();
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
      assertThat(
              HostCommand.run(merged.resolve("bin/busybox").toString(), "echo", "ran from overlay"))
          .isEqualTo(new HostCommand.Result(0, "ran from overlay\n", ""));
      assertThat(Files.readString(merged.resolve("etc/passwd"))).contains("app:x:1000");
    } finally {
      assertThat(LibC.INSTANCE.umount2(merged.toString(), LibC.MNT_DETACH)).isZero();
    }
  }
}
