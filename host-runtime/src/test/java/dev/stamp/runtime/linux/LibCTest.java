package dev.stamp.runtime.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class LibCTest {

  @Test
  void bindingReachesTheRealLibc() {
    assertThat((long) LibC.INSTANCE.getpid()).isEqualTo(ProcessHandle.current().pid());
  }

  @Test
  void failedCallReportsErrnoWithAction(@org.junit.jupiter.api.io.TempDir Path dir) {
    int rc = LibC.INSTANCE.open(dir.resolve("missing").toString(), LibC.O_RDONLY, 0);
    assertThat(rc).isEqualTo(-1);
    assertThat(LibC.errno()).isEqualTo(Errno.ENOENT);
    assertThat(LibC.describe("open missing")).startsWith("open missing: No such file");
  }
}
