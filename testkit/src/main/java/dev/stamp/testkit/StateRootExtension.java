package dev.stamp.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives each test a {@link TestStateRoot} in a fresh temp directory and, after the test and its
 * {@code @AfterEach} methods, fails it when {@link StateRootLeaks#find} reports anything: a mount
 * under the root, a process rooted in it, a netns file, a container directory, a cgroup of a
 * tracked container. A clean root is deleted; a leaking one is kept (deleting through a leaked
 * mount could reach whatever it mounts) and named in the failure.
 */
public final class StateRootExtension implements ParameterResolver, AfterEachCallback {

  private static final ExtensionContext.Namespace NS =
      ExtensionContext.Namespace.create(StateRootExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == TestStateRoot.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    // one root per test method: a constructor or @BeforeEach parameter and the test's share it
    ExtensionContext.Store store = context.getStore(NS);
    String key = context.getTestMethod().map(m -> m.toString()).orElse("class");
    return store.getOrComputeIfAbsent(key, k -> create(), TestStateRoot.class);
  }

  private static TestStateRoot create() {
    try {
      return new TestStateRoot(Files.createTempDirectory("stamp-root-test-"));
    } catch (IOException e) {
      throw new ParameterResolutionException("cannot create a temp state root", e);
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    String key = context.getTestMethod().map(m -> m.toString()).orElse("class");
    TestStateRoot root = context.getStore(NS).remove(key, TestStateRoot.class);
    if (root == null) {
      return;
    }
    assertNothingLeft(root);
  }

  /** Fails when {@code root} left anything; deletes it when it left nothing. */
  public static void assertNothingLeft(TestStateRoot root) {
    List<String> leaks = StateRootLeaks.find(root.path(), root.tracked());
    if (!leaks.isEmpty()) {
      throw new AssertionError(
          "state root "
              + root.path()
              + " left (kept for a look):\n  "
              + String.join("\n  ", leaks));
    }
    deleteTree(root.scratch());
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort: a temp dir
    }
  }
}
