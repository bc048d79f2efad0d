package dev.stamp.runtime.container;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.linux.ShimLauncher.StatusPipe;
import java.util.Optional;

/**
 * A started container as its starter sees it: the host pid of its first process and the shim's
 * status pipe. {@link #awaitExit} blocks until the exit; {@link #close} detaches (for {@code --rm},
 * the shim then removes the container itself).
 */
public final class RunningContainer implements AutoCloseable {

  /** Where the exit code comes from when the status pipe ends without one (the state files). */
  @FunctionalInterface
  interface ExitWaiter {
    int awaitExit(String id) throws HostRuntimeException;
  }

  private final ExitWaiter waiter;
  private final String id;
  private final int pid;
  private final StatusPipe pipe;
  private final AttachConnection attachment;

  RunningContainer(
      ExitWaiter waiter, String id, int pid, StatusPipe pipe, AttachConnection attachment) {
    this.waiter = waiter;
    this.id = id;
    this.pid = pid;
    this.pipe = pipe;
    this.attachment = attachment;
  }

  /** For {@link ContainerRuntime#startAttached}: the connection to the container's stdio. */
  public Optional<AttachConnection> attachment() {
    return Optional.ofNullable(attachment);
  }

  public String id() {
    return id;
  }

  /** The host pid of the container's first process. */
  public int pid() {
    return pid;
  }

  /** Blocks until the container exits; returns its exit code (128+N when killed by signal N). */
  public int awaitExit() throws HostRuntimeException {
    String line;
    while ((line = pipe.readLine()) != null) {
      if (line.startsWith("exited ")) {
        pipe.close();
        return Integer.parseInt(line.substring(7).strip());
      }
    }
    pipe.close();
    return waiter.awaitExit(id);
  }

  @Override
  public void close() {
    pipe.close();
  }
}
