package dev.stamp.runtime.container;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.testkit.RequiresRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The workdir never takes a container out of its root (runc's CVE-2024-21626: {@code -w
 * /proc/self/fd/N} on a host directory fd the runtime still held). The shim creates and enters the
 * workdir through openat2 with RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS from the new root, so every
 * magic link is refused, whatever the shim has open at that point.
 */
@RequiresRoot
class ContainerWorkdirIT {

  /** Above every fd the shim holds while it sets the container up (0-16 with -t, 0-11 without). */
  private static final int MAX_FD = 64;

  private static final String MARKER = ".stamp-workdir-it-root";

  /**
   * Prints the cwd, what is in it, and whether climbing 40 levels of {@code ..} from it ends at the
   * container's own root (the marker is there; a cwd outside the root climbs to the host's).
   */
  private static final String WHERE_AM_I =
      "pwd; ls -a | tr '\\n' ' '; echo; d=.; for i in $(seq 40); do d=$d/..; done;"
          + " if [ -e $d/"
          + MARKER
          + " ] && [ \"$(stat -c %d:%i $d)\" = \"$(stat -c %d:%i /)\" ];"
          + " then echo inside-root; else echo OUTSIDE-ROOT; fi";

  @TempDir Path tmp;
  RuntimeFixture f;

  @BeforeEach
  void setUp() throws Exception {
    f = new RuntimeFixture(tmp);
    Files.createFile(f.rootfs.resolve(MARKER));
  }

  @AfterEach
  void tearDown() throws Exception {
    f.close();
  }

  /** Creates and starts the container: its exit code, or the start failure's message. */
  private record Outcome(String id, int code, String refusal) {}

  private Outcome start(ContainerSpec spec) throws Exception {
    String id = f.runtime.create(spec);
    try (RunningContainer c = f.runtime.start(id, false)) {
      return new Outcome(id, c.awaitExit(), null);
    } catch (HostRuntimeException e) {
      // refused cleanly: an exit file with the error, nothing running, removable as any other
      assertThat(f.runtime.inspect(id).state().status()).isEqualTo(ContainerStatus.EXITED);
      f.runtime.remove(id, false);
      return new Outcome(id, -1, e.getMessage());
    }
  }

  @Test
  void everyProcSelfFdWorkdirIsRefused() throws Exception {
    for (boolean tty : new boolean[] {false, true}) {
      List<Integer> open = new ArrayList<>();
      for (int n = 0; n <= MAX_FD; n++) {
        List<String> workdirs = new ArrayList<>(List.of("/proc/self/fd/" + n));
        if (!tty) {
          workdirs.add("/proc/self/fd/" + n + "/sub"); // nothing is created through it either
        }
        for (String workdir : workdirs) {
          Outcome o =
              start(
                  f.spec("sh", "-c", WHERE_AM_I).workdir(workdir).tty(tty).openStdin(tty).build());
          assertThat(o.refusal())
              .as("-w %s (tty %s)", workdir, tty)
              .isNotNull()
              .contains("workdir " + workdir + ": ");
          if (!workdir.endsWith("/sub")
              && o.refusal().endsWith("Too many levels of symbolic links")) {
            open.add(n); // fd n was open in the shim: a magic link, refused as one
          }
        }
      }
      // 0-2 and some of the shim's own were open, and MAX_FD was above them all
      assertThat(open)
          .as("tty %s: fds open in the shim %s", tty, open)
          .contains(0, 1, 2)
          .hasSizeGreaterThan(4)
          .doesNotContain(MAX_FD);
    }
  }

  @Test
  void procLinksAsWorkdirNeverLeaveTheRoot() throws Exception {
    Files.createSymbolicLink(f.rootfs.resolve("to-cwd"), Path.of("/proc/self/cwd"));
    Files.createSymbolicLink(f.rootfs.resolve("to-root"), Path.of("/proc/1/root/tmp"));
    Files.createSymbolicLink(f.rootfs.resolve("up"), Path.of("../../../../../../.."));
    List<String> magic =
        List.of(
            "/proc/self/cwd",
            "/proc/self/root",
            "/proc/self/root/tmp",
            "/proc/thread-self/cwd",
            "/proc/1/cwd",
            "/proc/1/root",
            "/proc/1/cwd/../../..",
            "/proc/self/exe",
            "/dev/fd/3",
            "/dev/stdout",
            "/to-cwd",
            "/to-root");
    List<String> plain = List.of("/up", "/up/tmp", "/tmp/../../..", "/home/app");
    Map<String, String> ran = new LinkedHashMap<>();
    List<String> refused = new ArrayList<>();
    for (String workdir : concat(magic, plain)) {
      Outcome o = start(f.spec("sh", "-c", WHERE_AM_I).workdir(workdir).build());
      if (o.refusal() != null) {
        assertThat(o.refusal()).as("-w %s", workdir).contains("workdir " + workdir + ": ");
        refused.add(workdir);
        continue;
      }
      String out = f.stdout(o.id());
      assertThat(o.code()).as("-w %s: %s", workdir, f.stderr(o.id())).isZero();
      assertThat(out).as("-w %s", workdir).endsWith("inside-root\n");
      ran.put(workdir, out.lines().findFirst().orElseThrow());
    }
    assertThat(refused).containsExactlyElementsOf(magic);
    assertThat(ran)
        .containsExactly(
            Map.entry("/up", "/"),
            Map.entry("/up/tmp", "/tmp"),
            Map.entry("/tmp/../../..", "/"),
            Map.entry("/home/app", "/home/app"));
  }

  @Test
  void aMissingWorkdirIsCreatedEvenWithReadOnlyAndAUser() throws Exception {
    RuntimeFixture.Result r =
        f.runId(
            f.spec("sh", "-c", "pwd; id -u; touch x 2>/dev/null || echo ro")
                .workdir("/srv/new/dir")
                .readOnly(true)
                .user("app")
                .build());
    assertThat(r.code()).isZero();
    assertThat(f.stdout(r.id())).isEqualTo("/srv/new/dir\n1000\nro\n");
    assertThat(f.base.resolve("srv")).doesNotExist();
    assertThat(f.rootfs.resolve("srv")).doesNotExist(); // in the overlay's upper dir only
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
