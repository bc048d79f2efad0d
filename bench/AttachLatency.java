import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.container.AttachConnection;
import dev.stamp.runtime.container.ContainerRuntime;
import dev.stamp.runtime.container.ContainerSpec;
import dev.stamp.runtime.container.RunningContainer;
import dev.stamp.runtime.network.NetworkMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Interactive containers, measured in one long-lived JVM (interleaved rounds): start-to-exit of
 * `true` plain, with -i and with -t (attached before the start, as `stamp run -it` does), and the
 * keystroke round trip through a pty (client -> monitor -> pty master -> line discipline echo ->
 * monitor -> client). Not a test: bench/attach-latency compiles it against cli/target/stamp.jar.
 *
 * <p>Arguments: STATE_ROOT ROOTFS WARMUP RUNS.
 */
public final class AttachLatency {

  public static void main(String[] a) throws Exception {
    ContainerRuntime runtime = ContainerRuntime.openLongLived(new StampRoot(Path.of(a[0])), 0);
    Path rootfs = Path.of(a[1]);
    int warmup = Integer.parseInt(a[2]);
    int runs = Integer.parseInt(a[3]);
    Map<String, List<Long>> samples = new LinkedHashMap<>();
    for (String k : List.of("true (plain)", "true -i", "true -t", "keystroke echo (-t)")) {
      samples.put(k, new ArrayList<>());
    }
    String echo = runtime.create(spec(rootfs, true, true, "cat"));
    RunningContainer echoer = runtime.startAttached(echo, 24, 80);
    AttachConnection conn = echoer.attachment().orElseThrow();
    for (int i = 0; i < warmup + runs; i++) {
      boolean keep = i >= warmup;
      record(samples, "true (plain)", keep, () -> run(runtime, spec(rootfs, false, false, "true"), false));
      record(samples, "true -i", keep, () -> run(runtime, spec(rootfs, false, true, "true"), true));
      record(samples, "true -t", keep, () -> run(runtime, spec(rootfs, true, false, "true"), true));
      record(samples, "keystroke echo (-t)", keep, () -> roundTrip(conn));
    }
    runtime.remove(echo, true);
    System.out.printf("%-22s %10s %10s %10s%n", "path", "median ms", "p90 ms", "min ms");
    samples.forEach(
        (k, v) -> {
          long[] s = v.stream().mapToLong(Long::longValue).sorted().toArray();
          System.out.printf(
              "%-22s %10.2f %10.2f %10.2f%n",
              k, s[s.length / 2] / 1e6, s[(int) (s.length * 0.9)] / 1e6, s[0] / 1e6);
        });
  }

  interface Step {
    void run() throws Exception;
  }

  static void record(Map<String, List<Long>> samples, String key, boolean keep, Step step)
      throws Exception {
    long t0 = System.nanoTime();
    step.run();
    if (keep) {
      samples.get(key).add(System.nanoTime() - t0);
    }
  }

  static ContainerSpec spec(Path rootfs, boolean tty, boolean stdin, String command)
      throws Exception {
    return ContainerSpec.builder()
        .rootfs(rootfs)
        .command(List.of(command))
        .network(new NetworkMode.None())
        .tty(tty)
        .openStdin(stdin)
        .build();
  }

  static void run(ContainerRuntime runtime, ContainerSpec spec, boolean attached) throws Exception {
    String id = runtime.create(spec);
    try (RunningContainer c = attached ? runtime.startAttached(id, 24, 80) : runtime.start(id, false)) {
      if (attached) {
        AttachConnection conn = c.attachment().orElseThrow();
        while (conn.read() != null) {
          // until the exit frame, then the close
        }
        conn.close();
      }
      c.awaitExit();
    }
    runtime.remove(id, true);
  }

  static void roundTrip(AttachConnection conn) throws Exception {
    byte[] x = {'x'};
    conn.sendInput(x, 0, 1);
    AttachConnection.Frame f = conn.read();
    if (f == null || !Arrays.equals(f.data(), x)) {
      throw new IllegalStateException("expected the echo of x");
    }
  }
}
