package dev.stamp.runtime.container;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.image.Digest;
import dev.stamp.runtime.layer.LayerUsage;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * The runtime's veto on layer pruning: every layer directory a container of the root mounts,
 * running or not, stays until {@code stamp rm}. Registered in {@code META-INF/services}.
 */
public final class ContainerLayerUsage implements LayerUsage.Provider {

  @Override
  public LayerUsage forRoot(StampRoot root) {
    ContainerStore store = new ContainerStore(root);
    Path layers = root.path().resolve("layers").resolve(Digest.SHA256).toAbsolutePath();
    return () -> {
      Set<Digest> inUse = new HashSet<>();
      for (String id : store.ids()) {
        for (String dir :
            store.config(id).map(ContainerRecord::lowerDirs).orElse(java.util.List.of())) {
          Path path = Path.of(dir).toAbsolutePath();
          if (layers.equals(path.getParent())) {
            inUse.add(diffId(path));
          }
        }
      }
      return inUse;
    };
  }

  private static Digest diffId(Path layerDir) throws HostRuntimeException {
    return Digest.sha256(layerDir.getFileName().toString());
  }
}
