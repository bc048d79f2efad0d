package dev.stamp.runtime.service;

import java.util.List;

/** Told by {@link Services#replace} as each batch of replicas starts being replaced. */
@FunctionalInterface
public interface ReplaceProgress {

  ReplaceProgress NONE = (batch, batches, replicas) -> {};

  /**
   * Batch {@code batch} of {@code batches} (1-based) replaces {@code replicas} (1-based indexes).
   */
  void batchStarting(int batch, int batches, List<Integer> replicas);
}
