package dev.stamp.runtime.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.linux.ProcessId;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RootOperationsTest {

  @TempDir Path root;

  @Test
  void theTagNamesThisProcessByPidAndStartTime() {
    long pid = ProcessHandle.current().pid();
    ProcessId me = ProcessId.of((int) pid).orElseThrow();
    assertThat(RootOperations.tag()).isEqualTo(pid + "-" + me.startTime());
    assertThat(RootOperations.owner(RootOperations.tag() + "-5f1c")).contains(me);
    assertThat(RootOperations.isLive(root, me)).isTrue();
  }

  @Test
  void ownersAreReadFromTheStartOfANameOnly() {
    assertThat(RootOperations.owner("123-456")).contains(new ProcessId(123, 456));
    assertThat(RootOperations.owner("123-456-abc")).contains(new ProcessId(123, 456));
    assertThat(RootOperations.owner("build-123-456")).isEmpty();
    assertThat(RootOperations.owner("123e4567-e89b-12d3")).isEmpty();
    assertThat(RootOperations.owner("0-1")).isEmpty();
    assertThat(RootOperations.owner("notes.txt")).isEmpty();
  }

  @Test
  void registeringWritesALockedOpFileThatOthersSeeAsLive() throws Exception {
    String tag = RootOperations.register(root);
    Path file = root.resolve("ops").resolve(tag);
    assertThat(file).exists();
    assertThat(RootOperations.lockHeld(file)).isTrue();
    assertThat(RootOperations.others(root)).isEmpty();
    assertThat(RootOperations.register(root)).isEqualTo(tag); // once per root
  }

  @Test
  void aGoneProcessWithAnUnlockedFileIsNotLive() throws Exception {
    Files.createDirectories(root.resolve("ops"));
    Files.writeString(root.resolve("ops/4194305-3"), "java\n");
    assertThat(RootOperations.others(root)).containsExactly(root.resolve("ops/4194305-3"));
    assertThat(RootOperations.isLive(root, new ProcessId(4194305, 3))).isFalse();
    assertThat(RootOperations.isLive(root, new ProcessId(4194306, 3))).isFalse(); // no file
  }

  @Test
  void theRootMarkerIsWrittenOnceAndANewerOrForeignOneRefused() throws Exception {
    RootFormat.check(root);
    assertThat(root.resolve("stamp-root")).hasContent("format=1");
    RootFormat.check(root);
    Files.writeString(root.resolve("stamp-root"), "format=2\n");
    assertThatThrownBy(() -> RootFormat.check(root))
        .isInstanceOf(HostRuntimeException.class)
        .hasMessageContaining(root.resolve("stamp-root") + " says format 2, written by a newer");
    Files.writeString(root.resolve("stamp-root"), "");
    assertThatThrownBy(() -> RootFormat.check(root))
        .hasMessageContaining(root.resolve("stamp-root") + " is not a Stamp root marker")
        .hasMessageContaining("found ''");
    assertThat(root.resolve("stamp-root")).hasContent("");
  }

  @Test
  void aMissingRootGetsNoMarker() throws Exception {
    RootFormat.check(root.resolve("nothing"));
    assertThat(root.resolve("nothing")).doesNotExist();
  }
}
