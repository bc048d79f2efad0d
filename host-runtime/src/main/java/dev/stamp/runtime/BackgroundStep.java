package dev.stamp.runtime;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * One step of a start or a removal on a thread of its own, overlapping the calling thread's: a
 * bridge's CNI ADD while the shim builds the container (which waits for its release), the loopback
 * guard's nft while the bridge plugin runs, the CNI DEL while the container's emptied cgroups are
 * removed.
 */
public final class BackgroundStep<T> {

  /** The step; its failure is what {@link #join} throws. */
  @FunctionalInterface
  public interface Step<T> {
    T run() throws HostRuntimeException;
  }

  private final FutureTask<T> task;

  private BackgroundStep(FutureTask<T> task) {
    this.task = task;
  }

  /** Starts {@code step} on a daemon thread called {@code name}. */
  public static <T> BackgroundStep<T> start(String name, Step<T> step) {
    FutureTask<T> task = new FutureTask<>(step::run);
    Thread thread = new Thread(task, name);
    thread.setDaemon(true);
    thread.start();
    return new BackgroundStep<>(task);
  }

  /**
   * Waits for the step (not interruptibly: whatever follows, a retry or a removal, must not run
   * beside a CNI plugin) and returns its result, or throws its failure.
   */
  public T join() throws HostRuntimeException {
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
  public void joinAfter(Exception failure) {
    try {
      join();
    } catch (HostRuntimeException | RuntimeException e) {
      failure.addSuppressed(e);
    }
  }
}
