package dev.stamp.runtime.container;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.linux.ProcessId;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Runs a command inside a running container, as {@code docker exec} does: in the container's
 * cgroups (the host {@code /bin/sh} that starts it writes its own pid into each {@code
 * cgroup.procs} first, then execs {@code nsenter}, so nothing it forks escapes the cgroup), its
 * mount, UTS, IPC, network, pid and cgroup namespaces, its root and working directory, with its
 * environment. Through util-linux's {@code nsenter} because a JVM cannot setns its own threads into
 * another mount namespace; nsenter's child is {@code stamp-shim --exec} (exec.c, opened by the
 * shell as fd 9 and run as {@code /proc/self/fd/9}), which re-executes itself from a sealed copy
 * and drops to what the container's first process has: Docker's 14 capabilities (bounding,
 * permitted, effective), the user, its groups and gid, no_new_privs, and last the container's
 * seccomp filter.
 */
final class ContainerExec {

  static final String NSENTER = "nsenter";

  /** How much of the combined output is kept; the rest is read and dropped. */
  static final int MAX_OUTPUT = 64 * 1024;

  private ContainerExec() {}

  /** Who runs the command and where: the container's own unless the caller says otherwise. */
  record Identity(int uid, int gid, List<Integer> groups, String workdir) {}

  static ExecResult run(
      ContainerRecord config,
      ProcessId process,
      Path shim,
      Path seccomp,
      List<String> argv,
      Duration timeout,
      String action)
      throws HostRuntimeException {
    checkArgv(argv, action);
    ProcessBuilder builder =
        new ProcessBuilder(command(config, process, shim, seccomp, identityOf(config), argv, false))
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    setEnvironment(builder, environment(config, Map.of()));
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
   * Starts {@code argv} with this process's stdout and stderr (streamed, not captured) and, with
   * {@code stdin}, its stdin (else /dev/null); with {@code tty}, on a pty of the container's devpts
   * that the exec'd shim relays to those fds; the caller waits for the returned process, whose exit
   * code is the command's (126: exec setup failed, 127: command not found, 128+N: killed by signal
   * N).
   */
  static Process start(
      ContainerRecord config,
      ProcessId process,
      Path shim,
      Path seccomp,
      Identity identity,
      Map<String, String> extraEnv,
      List<String> argv,
      boolean stdin,
      boolean tty,
      String action)
      throws HostRuntimeException {
    checkArgv(argv, action);
    ProcessBuilder builder =
        new ProcessBuilder(command(config, process, shim, seccomp, identity, argv, tty))
            .redirectOutput(ProcessBuilder.Redirect.INHERIT)
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .redirectInput(
                stdin
                    ? ProcessBuilder.Redirect.INHERIT
                    : ProcessBuilder.Redirect.from(new File("/dev/null")));
    setEnvironment(builder, environment(config, extraEnv));
    try {
      return builder.start();
    } catch (IOException e) {
      throw HostRuntimeException.failed(action + ": " + e.getMessage(), e);
    }
  }

  static Identity identityOf(ContainerRecord config) {
    return new Identity(config.uid(), config.gid(), config.groups(), null);
  }

  private static void checkArgv(List<String> argv, String action) throws HostRuntimeException {
    if (argv.isEmpty() || argv.stream().anyMatch(a -> a.indexOf('\0') >= 0)) {
      throw HostRuntimeException.badInput(action + ": give a command (no NUL bytes)");
    }
  }

  /** The container's environment, then {@code extra} over it (docker exec -e). */
  static Map<String, String> environment(ContainerRecord config, Map<String, String> extra) {
    Map<String, String> env = new LinkedHashMap<>();
    for (String e : config.env()) {
      int eq = e.indexOf('=');
      if (eq > 0) {
        env.put(e.substring(0, eq), e.substring(eq + 1));
      }
    }
    env.putAll(extra);
    return env;
  }

  private static void setEnvironment(ProcessBuilder builder, Map<String, String> env) {
    builder.environment().clear();
    builder.environment().putAll(env);
  }

  /**
   * {@code /bin/sh -c 'exec 9< SHIM; [exec 8< FILTER;] echo $$ > CGROUP/cgroup.procs ...; exec
   * nsenter ... -- /proc/self/fd/9 --exec CAPS UID GID "$g" "$w" TTY "$s" -- "$@"' stamp-exec SHIM
   * GROUPS WORKDIR FILTER ARGV...}: the cgroup paths come from the container's intent (absolute, no
   * quotes), the shim's and the seccomp filter's paths ({@code -}: unconfined) and the argv stay
   * arguments. The filter is read by the shim from fd 8 and installed right before exec.
   */
  static List<String> command(
      ContainerRecord config,
      ProcessId process,
      Path shim,
      Path seccomp,
      Identity identity,
      List<String> argv,
      boolean tty) {
    StringBuilder script =
        new StringBuilder(
            "exec 9< \"$1\" || exit 126; g=$2; w=$3; s=$4; shift 4; "
                + "if [ \"$s\" != - ]; then exec 8< \"$s\" || exit 126; s=8; fi; ");
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
        .append(" -m -u -i -n -p -C -r -w -- /proc/self/fd/9 --exec ")
        .append(ShimSpec.CAPABILITY_KEY)
        .append(' ')
        .append(identity.uid())
        .append(' ')
        .append(identity.gid())
        .append(" \"$g\" \"$w\" ")
        .append(tty ? '1' : '0')
        .append(" \"$s\" -- \"$@\"");
    String groups =
        identity.groups().isEmpty()
            ? "-"
            : identity.groups().stream().map(String::valueOf).collect(Collectors.joining(","));
    String workdir =
        identity.workdir() == null || identity.workdir().isEmpty() ? "-" : identity.workdir();
    List<String> command =
        new ArrayList<>(List.of("/bin/sh", "-c", script.toString(), "stamp-exec", shim.toString()));
    command.add(groups);
    command.add(workdir);
    command.add(seccomp == null ? "-" : seccomp.toString());
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
