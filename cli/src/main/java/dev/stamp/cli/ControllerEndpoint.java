package dev.stamp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stamp.controller.ControllerException;
import dev.stamp.controller.api.ControllerClient;
import dev.stamp.runtime.StampRoot;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Where a running controller's API is: {@code --controller URL} and {@code --token-file FILE}, else
 * {@code STAMP_CONTROLLER} and {@code STAMP_CONTROLLER_TOKEN_FILE}, else what {@code stamp
 * controller} wrote to {@code ROOT/controller/api.json}.
 */
final class ControllerEndpoint {

  private static final ObjectMapper JSON = new ObjectMapper();

  private ControllerEndpoint() {}

  static Path file(StampRoot root) {
    return root.path().resolve("controller/api.json");
  }

  /** Records the API's address (atomically; mode 0600: it names the token file). */
  static void write(StampRoot root, URI api, Path tokenFile) throws ControllerException {
    Path file = file(root);
    Map<String, String> m = new LinkedHashMap<>();
    m.put("url", api.toString());
    if (tokenFile != null) {
      m.put("tokenFile", tokenFile.toAbsolutePath().toString());
    }
    try {
      Files.createDirectories(file.getParent());
      Path tmp = Files.createTempFile(file.getParent(), "api", ".tmp");
      Files.write(tmp, JSON.writeValueAsBytes(m));
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw ControllerException.failed("write " + file + ": " + e.getMessage(), e);
    }
  }

  static ControllerClient client(StampRoot root, String url, Path tokenFile)
      throws ControllerException {
    String u = url != null ? url : System.getenv("STAMP_CONTROLLER");
    Path t =
        tokenFile != null
            ? tokenFile
            : Optional.ofNullable(System.getenv("STAMP_CONTROLLER_TOKEN_FILE"))
                .map(Path::of)
                .orElse(null);
    if (u == null) {
      Path file = file(root);
      if (!Files.exists(file)) {
        throw ControllerException.notFound(
            "no controller: pass --controller URL (or set STAMP_CONTROLLER), or start `stamp controller` on this state root ("
                + file
                + " is missing)");
      }
      try {
        JsonNode n = JSON.readTree(file.toFile());
        u = n.path("url").asText(null);
        if (t == null && n.hasNonNull("tokenFile")) {
          t = Path.of(n.get("tokenFile").asText());
        }
      } catch (IOException e) {
        throw ControllerException.failed("read " + file + ": " + e.getMessage(), e);
      }
    }
    if (t == null) {
      throw ControllerException.badInput(
          "--token-file: the controller API needs a token (or set STAMP_CONTROLLER_TOKEN_FILE)");
    }
    return new ControllerClient(URI.create(u), ControllerClient.tokenFrom(t));
  }
}
