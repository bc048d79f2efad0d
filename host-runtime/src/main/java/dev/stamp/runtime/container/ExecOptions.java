package dev.stamp.runtime.container;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A command for {@link ContainerRuntime#execStreaming}: {@code argv}, variables set over the
 * container's environment ({@code docker exec -e}), the user ({@code USER[:GROUP]}, names looked up
 * in the container's /etc/passwd and /etc/group; default: the container's), the working directory
 * (absolute; default: the container's), whether stdin is passed on ({@code -i}) and whether the
 * command gets a pseudo-terminal ({@code -t}: from the container's devpts, its controlling terminal
 * and fds 0-2; the caller's terminal size is passed on at start and at each SIGWINCH).
 */
public record ExecOptions(
    List<String> argv,
    Map<String, String> env,
    Optional<String> user,
    Optional<String> workdir,
    boolean stdin,
    boolean tty) {

  public ExecOptions {
    argv = List.copyOf(argv);
    env = new LinkedHashMap<>(env);
  }

  public static ExecOptions of(List<String> argv) {
    return new ExecOptions(argv, Map.of(), Optional.empty(), Optional.empty(), false, false);
  }
}
