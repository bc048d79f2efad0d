package dev.stamp.controller.images;

import dev.stamp.controller.ControllerException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Build key → the image built from those inputs; the controller's store keeps it durable. */
public interface BuildCatalog {

  Optional<CatalogEntry> find(String key) throws ControllerException;

  void record(CatalogEntry entry) throws ControllerException;

  /** A catalogue in memory (for {@code stamp up} and tests): lost when the process ends. */
  static BuildCatalog inMemory() {
    Map<String, CatalogEntry> entries = new ConcurrentHashMap<>();
    return new BuildCatalog() {
      @Override
      public Optional<CatalogEntry> find(String key) {
        return Optional.ofNullable(entries.get(key));
      }

      @Override
      public void record(CatalogEntry entry) {
        entries.put(entry.key(), entry);
      }
    };
  }
}
