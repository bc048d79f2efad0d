package dev.stamp.controller.images;

import dev.stamp.controller.ControllerException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Build key → the image built from those inputs; the controller's store keeps it durable. */
public interface BuildCatalog {

  Optional<CatalogEntry> find(String key) throws ControllerException;

  void record(CatalogEntry entry) throws ControllerException;

  /**
   * A catalogue in {@code dir}, one small JSON file per build key ({@code stamp up}: kept under the
   * state root, so a later run reuses what an earlier one built). A file that cannot be read counts
   * as unknown: the image is built again.
   */
  static BuildCatalog inDirectory(java.nio.file.Path dir) {
    com.fasterxml.jackson.databind.ObjectMapper json =
        new com.fasterxml.jackson.databind.ObjectMapper();
    return new BuildCatalog() {
      private java.nio.file.Path file(String key) {
        return dir.resolve(
            dev.stamp.runtime.image.Digest.of(key.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                    .hex()
                + ".json");
      }

      @Override
      public Optional<CatalogEntry> find(String key) {
        try {
          Map<String, String> m =
              json.readValue(
                  file(key).toFile(),
                  new com.fasterxml.jackson.core.type.TypeReference<Map<String, String>>() {});
          return Optional.of(
              new CatalogEntry(
                  key,
                  m.get("app"),
                  m.get("service"),
                  m.get("reference"),
                  m.get("digest"),
                  m.get("commit"),
                  java.time.Instant.parse(m.get("builtAt")),
                  java.time.Duration.parse(m.get("took"))));
        } catch (java.io.IOException | RuntimeException e) {
          return Optional.empty();
        }
      }

      @Override
      public void record(CatalogEntry e) throws ControllerException {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        m.put("key", e.key());
        m.put("app", e.app());
        m.put("service", e.service());
        m.put("reference", e.reference());
        m.put("digest", e.digest());
        m.put("commit", e.commit());
        m.put("builtAt", e.builtAt().toString());
        m.put("took", e.took().toString());
        try {
          java.nio.file.Files.createDirectories(dir);
          java.nio.file.Path tmp = java.nio.file.Files.createTempFile(dir, "entry", ".tmp");
          java.nio.file.Files.write(tmp, json.writeValueAsBytes(m));
          java.nio.file.Files.move(
              tmp,
              file(e.key()),
              java.nio.file.StandardCopyOption.ATOMIC_MOVE,
              java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (java.io.IOException x) {
          throw ControllerException.failed(
              "record build " + e.key() + " in " + dir + ": " + x.getMessage(), x);
        }
      }
    };
  }

  /** A catalogue in memory (for tests): lost when the process ends. */
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
