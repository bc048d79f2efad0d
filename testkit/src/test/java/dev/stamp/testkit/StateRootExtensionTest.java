package dev.stamp.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@StampRootTest
class StateRootExtensionTest {

  TestStateRoot fromBeforeEach;

  @BeforeEach
  void setUp(TestStateRoot root) {
    fromBeforeEach = root;
  }

  @Test
  void theTestAndItsBeforeEachShareOneFreshRoot(TestStateRoot root) throws Exception {
    assertThat(root).isSameAs(fromBeforeEach);
    assertThat(root.scratch()).isEmptyDirectory();
    Files.createDirectories(root.path().resolve("images"));
  }

  @Test
  void aContainerDirectoryLeftFailsAndKeepsTheRoot() throws Exception {
    TestStateRoot other = new TestStateRoot(Files.createTempDirectory("stamp-root-test-"));
    Files.createDirectories(other.path().resolve("containers/abc123"));
    Files.createDirectories(other.path().resolve("netns"));
    Files.createFile(other.path().resolve("netns/abc123"));
    assertThatThrownBy(() -> StateRootExtension.assertNothingLeft(other))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("state root " + other.path() + " left")
        .hasMessageContaining("containers/abc123")
        .hasMessageContaining("netns/abc123");
    assertThat(other.path()).isDirectory();
    Files.delete(other.path().resolve("containers/abc123"));
    Files.delete(other.path().resolve("netns/abc123"));
    StateRootExtension.assertNothingLeft(other);
    assertThat(other.scratch()).doesNotExist();
  }

  @Test
  void aTrackedContainersIdIsKept(TestStateRoot root) {
    assertThat(root.track("abc")).isEqualTo("abc");
    root.track("abc");
    assertThat(root.tracked()).containsExactly("abc");
  }
}
