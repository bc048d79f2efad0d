package dev.stamp.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StampRootTest {

  @Test
  void flagWinsOverEnvironment() {
    StampRoot root = StampRoot.resolve(Path.of("/tmp/a"), Map.of(StampRoot.ENV, "/tmp/b"));
    assertThat(root.path()).isEqualTo(Path.of("/tmp/a"));
  }

  @Test
  void environmentWinsOverDefault() {
    StampRoot root = StampRoot.resolve(null, Map.of(StampRoot.ENV, "/tmp/b/../c"));
    assertThat(root.path()).isEqualTo(Path.of("/tmp/c"));
  }

  @Test
  void defaultIsVarLibStamp() {
    assertThat(StampRoot.resolve(null, Map.of()).path()).isEqualTo(Path.of("/var/lib/stamp"));
  }
}
