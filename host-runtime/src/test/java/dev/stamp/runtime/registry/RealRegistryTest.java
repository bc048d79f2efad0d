package dev.stamp.runtime.registry;

import dev.stamp.testkit.RegistryFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * A real registry (Debian's docker-registry on 127.0.0.1) for each test class that extends this.
 */
abstract class RealRegistryTest {

  static RegistryFixture registry;

  @BeforeAll
  static void startRegistry() {
    registry = RegistryFixture.start();
  }

  @AfterAll
  static void stopRegistry() {
    if (registry != null) {
      registry.close();
    }
  }

  /** {@code repoAndTag} in the registry. */
  String ref(String repoAndTag) {
    return registry.host() + "/" + repoAndTag;
  }
}
