package dev.stamp.runtime.layer;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.image.Digest;
import java.util.Set;

/**
 * The container runtime's veto on layer pruning: diff ids of layers that containers mount (or are
 * about to), which {@link LayerStore#prune} keeps even when no image references them any more.
 */
@FunctionalInterface
public interface LayerUsage {

  /** No containers: only images keep layers. */
  LayerUsage NONE = Set::of;

  Set<Digest> diffIdsInUse() throws HostRuntimeException;
}
