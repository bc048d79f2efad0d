package dev.stamp.runtime.layer;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.image.Digest;
import java.util.HashSet;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * The container runtime's veto on layer pruning: diff ids of layers that containers mount (or are
 * about to), which {@link LayerStore#prune} keeps even when no image references them any more. The
 * runtime registers a {@link Provider} (a {@code META-INF/services} entry), so commands that prune
 * ({@code stamp rmi}) consult it without depending on the runtime.
 */
@FunctionalInterface
public interface LayerUsage {

  /** No containers: only images keep layers. */
  LayerUsage NONE = Set::of;

  Set<Digest> diffIdsInUse() throws HostRuntimeException;

  /** Implemented by the container runtime; found with {@link ServiceLoader}. */
  interface Provider {
    LayerUsage forRoot(StampRoot root) throws HostRuntimeException;
  }

  /** The union of every installed provider's usage for {@code root} ({@link #NONE} if none). */
  static LayerUsage installed(StampRoot root) throws HostRuntimeException {
    Set<LayerUsage> usages = new HashSet<>();
    for (Provider provider : ServiceLoader.load(Provider.class)) {
      usages.add(provider.forRoot(root));
    }
    return () -> {
      Set<Digest> inUse = new HashSet<>();
      for (LayerUsage usage : usages) {
        inUse.addAll(usage.diffIdsInUse());
      }
      return inUse;
    };
  }
}
