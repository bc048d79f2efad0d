package dev.stamp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stamp.controller.ControllerException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Where a server this state root runs listens, as it records it for the CLI: {@code
 * ROOT/agent/api.json} ({@code stamp agent}) and {@code ROOT/controller/api.json} ({@code stamp
 * controller}), {@code {"url": …, "tokenFile": …}}. {@code tokenFile} is null when none is named.
 */
record ApiFile(URI url, Path tokenFile) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Writes {@code file} atomically, mode 0600 (it names the token file). */
  void write(Path file) throws IOException {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("url", url.toString());
    if (tokenFile != null) {
      m.put("tokenFile", tokenFile.toAbsolutePath().toString());
    }
    Files.createDirectories(file.getParent());
    Path tmp = Files.createTempFile(file.getParent(), "api", ".tmp");
    Files.write(tmp, JSON.writeValueAsBytes(m));
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /**
   * The server a command talks to: {@code url} and {@code tokenFile} as the caller gives them
   * (either may be null), what {@code file} records for the rest when {@code url} is null; {@code
   * missing} when it is null and {@code file} does not exist.
   */
  static ApiFile resolve(
      String url, Path tokenFile, Path file, Supplier<ControllerException> missing)
      throws ControllerException {
    if (url != null) {
      return new ApiFile(URI.create(url), tokenFile);
    }
    if (!Files.exists(file)) {
      throw missing.get();
    }
    ApiFile recorded = read(file);
    return new ApiFile(recorded.url(), tokenFile != null ? tokenFile : recorded.tokenFile());
  }

  /** What {@code file} records; FAILED when it cannot be read or names no URL. */
  private static ApiFile read(Path file) throws ControllerException {
    try {
      JsonNode n = JSON.readTree(file.toFile());
      if (n == null || !n.hasNonNull("url")) {
        throw ControllerException.failed("read " + file + ": no \"url\"", null);
      }
      return new ApiFile(
          URI.create(n.get("url").asText()),
          n.hasNonNull("tokenFile") ? Path.of(n.get("tokenFile").asText()) : null);
    } catch (IOException | IllegalArgumentException e) {
      throw ControllerException.failed("read " + file + ": " + e.getMessage(), e);
    }
  }
}
