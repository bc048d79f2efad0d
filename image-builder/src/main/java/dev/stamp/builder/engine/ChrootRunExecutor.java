package dev.stamp.builder.engine;

import dev.stamp.builder.BuildException;
import dev.stamp.runtime.layer.LayerStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * STAND-IN executor until the Stamp container runtime lands: util-linux {@code unshare --mount
 * --pid --fork} runs a tiny shell that mounts the overlay (lower dirs + the step's upper and work
 * dirs) in the new private mount namespace, adds /proc, /dev and the RUN mounts, and execs {@code
 * unshare --root=MERGED --wd=DIR --setuid --setgid} of the command. Needs root. Mounts vanish with
 * the namespace when the command ends, so the upper dir is left holding the step's diff. No cgroup
 * limits, no seccomp, the host network unless {@code --network=none}.
 *
 * <p>NOT a security boundary: the command runs as real root (no user namespace, all capabilities)
 * in a chroot with the host's /dev, and the step's environment (e.g. {@code LD_PRELOAD}) reaches
 * the host's {@code unshare} before it changes root. Only for trusted Dockerfiles until the Stamp
 * runtime replaces it.
 */
public final class ChrootRunExecutor implements RunExecutor {

  static final int TAIL_LINES = 20;

  private static final String UNSHARE = "/usr/bin/unshare";
  private static final String MOUNT = "/bin/mount";

  @Override
  public RunResult run(RunRequest req) throws BuildException {
    Path merged = req.upperDir().resolveSibling("merged");
    try {
      Files.createDirectories(merged);
      List<String> command = new ArrayList<>();
      command.add(UNSHARE);
      command.add("--mount");
      command.add("--propagation=private");
      command.add("--pid");
      command.add("--fork");
      command.add("--kill-child");
      if (req.network().equals("none")) {
        command.add("--net");
      }
      command.add("/bin/sh");
      command.add("-c");
      command.add(script(req, merged));
      command.add("stamp-run");
      command.addAll(req.argv());
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
      pb.environment().clear();
      pb.environment().putAll(req.env());
      pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
      Process process = pb.start();
      Deque<String> tail = new ArrayDeque<>();
      try (BufferedReader out =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = out.readLine(); line != null; line = out.readLine()) {
          req.output().accept(line);
          tail.addLast(line);
          if (tail.size() > TAIL_LINES) {
            tail.removeFirst();
          }
        }
      }
      int exit = process.waitFor();
      return new RunResult(exit, new ArrayList<>(tail));
    } catch (IOException e) {
      throw BuildException.failed("run " + req.argv() + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw BuildException.failed("run " + req.argv() + ": interrupted", e);
    } catch (dev.stamp.runtime.HostRuntimeException e) {
      throw BuildException.failed("run " + req.argv() + ": " + e.getMessage(), e);
    }
  }

  private static String script(RunRequest req, Path merged)
      throws dev.stamp.runtime.HostRuntimeException {
    String m = quote(merged.toString());
    String options =
        LayerStore.lowerdirOption(req.lowerDirs())
            + ",upperdir="
            + req.upperDir()
            + ",workdir="
            + req.workDir();
    StringBuilder s = new StringBuilder("set -e\n");
    s.append(MOUNT).append(" -t overlay stamp-build -o ").append(quote(options)).append(' ');
    s.append(m).append('\n');
    s.append("if [ -d ").append(m).append("/proc ]; then ").append(MOUNT);
    s.append(" -t proc proc ").append(m).append("/proc; fi\n");
    s.append("if [ -d ").append(m).append("/dev ]; then ").append(MOUNT);
    s.append(" --rbind /dev ").append(m).append("/dev; fi\n");
    for (RunRequest.MountSpec mount : req.mounts()) {
      String target = quote(merged + "/" + mount.target().replaceFirst("^/+", ""));
      s.append("/bin/mkdir -p ").append(target).append('\n');
      if (mount.type().equals("tmpfs")) {
        s.append(MOUNT).append(" -t tmpfs tmpfs ").append(target).append('\n');
      } else {
        s.append(MOUNT).append(" --bind ").append(quote(mount.source().toString()));
        s.append(' ').append(target).append('\n');
        if (!mount.readWrite()) {
          s.append(MOUNT).append(" -o remount,bind,ro ").append(target).append('\n');
        }
      }
    }
    String[] ids = req.user().split(":", 2);
    s.append("exec ").append(UNSHARE).append(" --root=").append(m);
    s.append(" --wd=").append(quote(req.workingDir()));
    s.append(" --setgid ").append(quote(ids.length > 1 ? ids[1] : ids[0]));
    s.append(" --setuid ").append(quote(ids[0])).append(" -- \"$@\"\n");
    return s.toString();
  }

  static String quote(String value) {
    return "'" + value.replace("'", "'\\''") + "'";
  }
}
