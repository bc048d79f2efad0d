package dev.stamp.builder.engine;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One RUN step for a {@link RunExecutor}: the snapshot's layer directories LOWEST FIRST (never
 * empty), an empty upper dir and work dir on one filesystem, the argv, its environment, working
 * directory and numeric user ({@code uid:gid}), the network mode ({@code default}, {@code none} or
 * {@code host}), extra mounts, and where each output line goes.
 */
public record RunRequest(
    List<Path> lowerDirs,
    Path upperDir,
    Path workDir,
    List<String> argv,
    Map<String, String> env,
    String workingDir,
    String user,
    String network,
    List<StepMount> mounts,
    Consumer<String> output) {

  public RunRequest {
    lowerDirs = List.copyOf(lowerDirs);
    argv = List.copyOf(argv);
    env = Map.copyOf(env);
    mounts = List.copyOf(mounts);
    if (lowerDirs.isEmpty()) {
      throw new IllegalArgumentException("a RUN needs at least one lower dir");
    }
    if (argv.isEmpty()) {
      throw new IllegalArgumentException("a RUN needs a command");
    }
  }

  /**
   * A {@code RUN --mount}: {@code bind} (read-only unless {@code readWrite}), {@code cache} (a
   * persistent read-write dir), {@code tmpfs} ({@code source} null) or {@code secret} (a file,
   * read-only). Never part of the layer. Named apart from the runtime's {@code
   * container.MountSpec}, which {@link RuntimeRunExecutor} turns it into.
   */
  public record StepMount(String type, Path source, String target, boolean readWrite) {}
}
