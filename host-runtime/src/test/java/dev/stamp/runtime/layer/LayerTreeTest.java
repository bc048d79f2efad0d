package dev.stamp.runtime.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.testkit.RequiresRoot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Layers read as overlayfs would merge them: the topmost layer that has a name decides, whiteouts
 * delete, opaque directories and non-directories hide what is below, and a link in any layer
 * resolves inside the merged tree, never on the host (a canary stands for the host's file).
 */
class LayerTreeTest {

  @TempDir Path tmp;
  Path lower;
  Path upper;
  Path host;
  String canary;

  @BeforeEach
  void setUp() throws IOException {
    lower = Files.createDirectories(tmp.resolve("l0"));
    upper = Files.createDirectories(tmp.resolve("l1"));
    host = Files.createDirectories(tmp.resolve("host/etc"));
    canary = "inroot-canary-" + UUID.randomUUID();
    Files.writeString(host.resolve("passwd"), "hostonly:x:4242:4242::/:/bin/sh\n" + canary);
    Files.createDirectories(lower.resolve("etc"));
    Files.writeString(lower.resolve("etc/passwd"), "root:x:0:0::/root:/bin/sh\n");
    Files.createDirectories(lower.resolve("usr/lib"));
    Files.writeString(lower.resolve("usr/lib/f"), "lower f\n");
  }

  private LayerTree tree() {
    return LayerTree.of(List.of(lower, upper));
  }

  @Test
  void anAbsoluteLinkInAnUpperLayerLeadsToTheImagesOwnDirectory() throws Exception {
    Files.createSymbolicLink(upper.resolve("e"), Path.of("/etc"));
    Files.createSymbolicLink(upper.resolve("climb"), Path.of("../../../../../etc"));
    assertThat(tree().readString("/e/passwd")).contains("root:x:0:0::/root:/bin/sh\n");
    assertThat(tree().readString("/climb/passwd")).contains("root:x:0:0::/root:/bin/sh\n");
    assertThat(tree().find("/e/passwd", true)).contains(lower.resolve("etc/passwd"));
  }

  @Test
  void anEtcLinkedToTheHostIsAPathInsideTheImage() throws Exception {
    Files.delete(lower.resolve("etc/passwd"));
    Files.delete(lower.resolve("etc"));
    Files.createSymbolicLink(lower.resolve("etc"), host);
    assertThat(tree().readString("/etc/passwd")).isEmpty();
    Files.createSymbolicLink(upper.resolve("passwd"), host.resolve("passwd"));
    assertThat(tree().readString("/passwd")).isEmpty();
  }

  @Test
  void aDirectoryInALowerLayerBehindAnUpperLayersLinkIsNotReachedThroughTheLink() throws Exception {
    // lower: /usr/lib/f; upper: /usr -> host. The merged /usr is the link, and it resolves inside.
    Files.createSymbolicLink(upper.resolve("usr"), tmp.resolve("host"));
    assertThat(tree().readString("/usr/etc/passwd")).isEmpty();
    assertThat(tree().find("/usr/lib/f", true)).isEmpty();
  }

  @Test
  void theTopmostLayerWinsAndALinkInTheLowerLayerIsHiddenByAnUpperDirectory() throws Exception {
    Files.createSymbolicLink(lower.resolve("d"), host);
    Files.createDirectories(upper.resolve("d"));
    Files.writeString(upper.resolve("d/own"), "own\n");
    assertThat(tree().readString("/d/own")).contains("own\n");
    assertThat(tree().readString("/d/passwd")).as("never through the lower layer's link").isEmpty();
    Files.createDirectories(upper.resolve("etc"));
    Files.writeString(upper.resolve("etc/passwd"), "upper\n");
    assertThat(tree().readString("/etc/passwd")).contains("upper\n");
  }

  @Test
  void aLoopAcrossLayersIsAnError() throws Exception {
    Files.createSymbolicLink(lower.resolve("x"), Path.of("/y"));
    Files.createSymbolicLink(upper.resolve("y"), Path.of("x"));
    assertThatThrownBy(() -> tree().readString("/x/passwd"))
        .hasMessageStartingWith("\"/x/passwd\": more than 40 symbolic links (a loop?)");
  }

  @Test
  void aLiveUpperIsReadAfreshOverRememberedLowerLayers() throws Exception {
    Path staging = Files.createDirectories(tmp.resolve("staging"));
    LayerTree tree = LayerTree.over(List.of(lower, upper), staging);
    assertThat(tree.resolve("/d/x", true)).isEqualTo("d/x");
    Files.createSymbolicLink(staging.resolve("d"), Path.of("/usr/lib"));
    assertThat(tree.resolve("/d/x", true)).isEqualTo("usr/lib/x");
    Files.createSymbolicLink(staging.resolve("etc"), host);
    assertThat(tree.readString("/etc/passwd")).as("the host's path inside the image").isEmpty();
    assertThat(tree.resolve("/etc/passwd", true))
        .isEqualTo(host.toString().substring(1) + "/passwd");
  }

  @Test
  @RequiresRoot
  void whiteoutsDeleteAndOpaqueDirectoriesHide() throws Exception {
    Files.createDirectories(upper.resolve("usr"));
    Posix.mknod(upper.resolve("etc"), 0020000, 0, 0, 0);
    assertThat(tree().readString("/etc/passwd")).isEmpty();
    assertThat(tree().readString("/usr/lib/f")).contains("lower f\n");
    Posix.setXattr(upper.resolve("usr"), Whiteouts.opaqueXattr(), new byte[] {'y'});
    assertThat(tree().readString("/usr/lib/f")).isEmpty();
  }
}
