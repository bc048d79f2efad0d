package dev.stamp.runtime.container;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.network.NetworkAttachment;
import dev.stamp.runtime.network.PendingAttachment;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * A bridge attachment's second half (the CNI plugins) on a thread of its own, while the starting
 * thread writes the shim's spec and the shim builds the container, which waits for its release.
 */
final class BackgroundConnect {

  private final FutureTask<NetworkAttachment> task;

  private BackgroundConnect(FutureTask<NetworkAttachment> task) {
    this.task = task;
  }

  static BackgroundConnect start(PendingAttachment pending, String shortId) {
    FutureTask<NetworkAttachment> task = new FutureTask<>(pending::connect);
    Thread thread = new Thread(task, "stamp-connect-" + shortId);
    thread.setDaemon(true);
    thread.start();
    return new BackgroundConnect(task);
  }

  /**
   * Waits for the connection (not interruptibly: whatever follows, a retry or a removal, must not
   * run beside a plugin) and returns it, or throws its failure, after which nothing of the attach
   * is left.
   */
  NetworkAttachment join() throws HostRuntimeException {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return task.get();
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException e) {
          Throwable cause = e.getCause();
          if (cause instanceof HostRuntimeException h) {
            throw h;
          }
          if (cause instanceof RuntimeException r) {
            throw r;
          }
          if (cause instanceof Error err) {
            throw err;
          }
          throw new IllegalStateException(cause);
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Waits for it after another failure, adding its own failure, if any, to that one. */
  void joinAfter(Exception failure) {
    try {
      join();
    } catch (HostRuntimeException | RuntimeException e) {
      failure.addSuppressed(e);
    }
  }
}
