package dev.stamp.runtime.registry;

import dev.stamp.runtime.HostRuntimeException;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/** Waiting for blob transfers that run on a pool (a pull's downloads, a push's uploads). */
final class BlobTasks {

  private BlobTasks() {}

  /** A pool of daemon threads called {@code name}, {@code parallel} at most, for {@code tasks}. */
  static ExecutorService pool(String name, int parallel, int tasks) {
    return Executors.newFixedThreadPool(
        Math.min(parallel, tasks),
        r -> {
          Thread t = new Thread(r, name);
          t.setDaemon(true);
          return t;
        });
  }

  /**
   * The task's result; its own failure rethrown as it was ({@code HostRuntimeException} or
   * unchecked), an interrupt as "{@code what} interrupted".
   */
  static <T> T await(Future<T> task, String what) throws HostRuntimeException {
    return await(() -> task, what);
  }

  /** As {@link #await(Future, String)} for the next task of {@code done} to end. */
  static <T> T awaitNext(CompletionService<T> done, String what) throws HostRuntimeException {
    return await(done::take, what);
  }

  /** A task to wait for, found by a call that may itself be interrupted. */
  private interface Task<T> {
    Future<T> find() throws InterruptedException;
  }

  private static <T> T await(Task<T> task, String what) throws HostRuntimeException {
    try {
      return task.find().get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof HostRuntimeException h) {
        throw h;
      }
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw HostRuntimeException.failed(what + " interrupted");
    }
  }

  /** Waits up to 30 s for the pool's tasks to end after {@code what}; warns when some did not. */
  static void awaitTermination(ExecutorService pool, String tasks, String what, Logger log) {
    try {
      if (!pool.awaitTermination(30, TimeUnit.SECONDS)) {
        log.warn("{} still running 30s after the {} ended", tasks, what);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
