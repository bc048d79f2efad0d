package dev.stamp.runtime.container;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.runtime.linux.Cgroups;
import dev.stamp.runtime.linux.ProcessId;
import dev.stamp.testkit.RequiresRoot;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * kill -9 of the JVM that creates and starts containers, at arbitrary moments: {@code ps} must then
 * be truthful and {@code rm -f} must leave no mount, cgroup or process behind.
 */
@RequiresRoot
class CrashRecoveryIT {

  @TempDir Path tmp;
  RuntimeFixture f;

  @BeforeEach
  void setUp() throws Exception {
    f = new RuntimeFixture(tmp);
  }

  @AfterEach
  void tearDown() throws Exception {
    f.close();
    assertThat(processesMentioning(f.root.path().toString())).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 37, 150, 400, 900})
  void killMinus9OfTheCreatorLeavesATruthfulAndRemovableState(int delayMillis) throws Exception {
    Process creator =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC",
                "-cp",
                System.getProperty("java.class.path"),
                CrashingCreator.class.getName(),
                f.root.path().toString(),
                f.rootfs.toString())
            .redirectErrorStream(true)
            .start();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(creator.getInputStream()))) {
      String line = out.readLine();
      while (line != null && line.startsWith("SLF4J")) { // no logging backend in this module
        line = out.readLine();
      }
      assertThat(line).isEqualTo("ready");
      Thread.sleep(delayMillis);
      creator.destroyForcibly(); // SIGKILL
      assertThat(creator.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }
    Thread.sleep(200); // shims already spawned finish starting on their own

    List<ContainerInfo> all = f.runtime.list(true);
    for (ContainerInfo info : all) {
      ContainerState s = info.state();
      List<Path> cgroups = info.config().map(c -> c.intent().cgroupPaths()).orElse(List.of());
      switch (s.status()) {
        case RUNNING -> assertThat(s.process().map(ProcessId::isAlive)).contains(true);
        case CREATED, EXITED, DEAD -> {
          assertThat(Cgroups.populated(cgroups))
              .as("processes of a %s container", s.status())
              .isFalse();
          assertThat(s.process().map(ProcessId::isAlive).orElse(false)).isFalse();
        }
      }
    }
    assertThat(f.runtime.list(false)).allMatch(i -> i.state().status() == ContainerStatus.RUNNING);
    // f.close() (tearDown) removes all with rm -f and checks mounts and cgroups
  }

  static List<String> processesMentioning(String text) throws IOException {
    try (var procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      List<String> found = new java.util.ArrayList<>();
      for (Path p : procs) {
        try {
          String cmdline = new String(Files.readAllBytes(p.resolve("cmdline"))).replace('\0', ' ');
          if (cmdline.contains(text)
              && !cmdline.contains("surefire")
              && !cmdline.contains("failsafe")) {
            found.add(p.getFileName() + ": " + cmdline);
          }
        } catch (IOException e) {
          // gone
        }
      }
      return found;
    }
  }
}
