package dev.stamp.cli;

import dev.stamp.controller.ControllerException;
import dev.stamp.controller.api.ControllerClient;
import dev.stamp.runtime.StampRoot;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a running controller's API is: {@code --controller URL} and {@code --token-file FILE}, else
 * {@code STAMP_CONTROLLER} and {@code STAMP_CONTROLLER_TOKEN_FILE}, else what {@code stamp
 * controller} wrote to {@code ROOT/controller/api.json}.
 */
final class ControllerEndpoint {

  private ControllerEndpoint() {}

  static Path file(StampRoot root) {
    return root.path().resolve("controller/api.json");
  }

  /** Records the API's address. */
  static void write(StampRoot root, URI api, Path tokenFile) throws ControllerException {
    Path file = file(root);
    try {
      new ApiFile(api, tokenFile).write(file);
    } catch (IOException e) {
      throw ControllerException.failed("write " + file + ": " + e.getMessage(), e);
    }
  }

  static ControllerClient client(StampRoot root, String url, Path tokenFile)
      throws ControllerException {
    Path file = file(root);
    ApiFile api =
        ApiFile.resolve(
            url != null ? url : System.getenv("STAMP_CONTROLLER"),
            tokenFile != null
                ? tokenFile
                : Optional.ofNullable(System.getenv("STAMP_CONTROLLER_TOKEN_FILE"))
                    .map(Path::of)
                    .orElse(null),
            file,
            () ->
                ControllerException.notFound(
                    "no controller: pass --controller URL (or set STAMP_CONTROLLER), or start"
                        + " `stamp controller` on this state root ("
                        + file
                        + " is missing)"));
    if (api.tokenFile() == null) {
      throw ControllerException.badInput(
          "--token-file: the controller API needs a token (or set STAMP_CONTROLLER_TOKEN_FILE)");
    }
    return new ControllerClient(api.url(), ControllerClient.tokenFrom(api.tokenFile()));
  }
}
