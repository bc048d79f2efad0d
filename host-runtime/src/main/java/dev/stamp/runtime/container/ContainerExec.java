package dev.stamp.runtime.container;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.linux.ProcessId;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command inside a running container, as {@code docker exec} does: in the container's
 * cgroups (the host {@code /bin/sh} that starts it writes its own pid into each {@code
 * cgroup.procs} first, then execs {@code nsenter}, so nothing it forks escapes the cgroup), its
 * mount, UTS, IPC, network, pid and cgroup namespaces, its root and working directory, as its user
 * and group, with its environment; stdin is {@code /dev/null}. Through util-linux's {@code nsenter}
 * because a JVM cannot setns its own threads into another mount namespace.
 *
 * <p>Not (yet) like docker exec: the command keeps the capabilities of root on the host when the
 * container runs as root (no bounding set is applied), and supplementary groups are dropped.
 */
final class ContainerExec {

  static final String NSENTER = "nsenter";

  /** How much of the combined output is kept; the rest is read and dropped. */
  static final int MAX_OUTPUT = 64 * 1024;

  private ContainerExec() {}

  static ExecResult run(
      ContainerRecord config, ProcessId process, List<String> argv, Duration timeout, String action)
      throws HostRuntimeException {
    if (argv.isEmpty() || argv.stream().anyMatch(a -> a.indexOf('\0') >= 0)) {
      throw HostRuntimeException.badInput(action + ": give a command (no NUL bytes)");
    }
    ProcessBuilder builder =
        new ProcessBuilder(command(config, process, argv))
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    Map<String, String> env = builder.environment();
    env.clear();
    for (String e : config.env()) {
      int eq = e.indexOf('=');
      if (eq > 0) {
        env.put(e.substring(0, eq), e.substring(eq + 1));
      }
    }
    Process p;
    try {
      p = builder.start();
    } catch (IOException e) {
      throw HostRuntimeException.failed(action + ": " + e.getMessage(), e);
    }
    Output output = new Output(p.getInputStream());
    try {
      if (!p.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
        kill(p);
        return new ExecResult(-1, output.text(), true);
      }
      output.join();
      return new ExecResult(p.exitValue(), output.text(), false);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      kill(p);
      throw HostRuntimeException.failed(action + ": interrupted", e);
    }
  }

  /**
   * {@code /bin/sh -c 'echo $$ > CGROUP/cgroup.procs ...; exec nsenter ...' stamp-exec ARGV...}:
   * the cgroup paths come from the container's intent (absolute, no quotes), the argv stays argv.
   */
  static List<String> command(ContainerRecord config, ProcessId process, List<String> argv) {
    StringBuilder script = new StringBuilder();
    for (String dir : config.intent().cgroupDirs()) {
      if (dir.indexOf('\'') >= 0) {
        throw new IllegalArgumentException("cgroup path with a quote: " + dir);
      }
      script.append("echo $$ > '").append(dir).append("/cgroup.procs' || exit 126; ");
    }
    script
        .append("exec ")
        .append(NSENTER)
        .append(" -t ")
        .append(process.pid())
        .append(" -m -u -i -n -p -C -r -w -S ")
        .append(config.uid())
        .append(" -G ")
        .append(config.gid())
        .append(" -- \"$@\"");
    List<String> command =
        new ArrayList<>(List.of("/bin/sh", "-c", script.toString(), "stamp-exec"));
    command.addAll(argv);
    return command;
  }

  /**
   * nsenter forks for the pid namespace: kill what it started, and let nsenter reap it and exit
   * (killed first, its child would end up a zombie under the container's PID 1, which may never
   * reap); nsenter itself is killed only if it lingers.
   */
  private static void kill(Process p) {
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    try {
      if (!p.waitFor(1, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
    }
  }

  /** Reads the output on a daemon thread (a full pipe must never block the command). */
  private static final class Output {
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private final Thread reader;

    Output(InputStream in) {
      reader =
          new Thread(
              () -> {
                byte[] buf = new byte[8192];
                try (in) {
                  int n;
                  while ((n = in.read(buf)) >= 0) {
                    synchronized (kept) {
                      int room = MAX_OUTPUT - kept.size();
                      if (room > 0) {
                        kept.write(buf, 0, Math.min(room, n));
                      }
                    }
                  }
                } catch (IOException e) {
                  // the process is gone
                }
              },
              "stamp-exec-output");
      reader.setDaemon(true);
      reader.start();
    }

    void join() throws InterruptedException {
      reader.join(TimeUnit.SECONDS.toMillis(5));
    }

    String text() {
      synchronized (kept) {
        return kept.toString(StandardCharsets.UTF_8).strip();
      }
    }
  }
}
