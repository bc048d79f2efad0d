package dev.stamp.cli;

import dev.stamp.controller.ControllerException;
import dev.stamp.controller.api.ControllerClient;
import dev.stamp.runtime.StampRoot;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --controller URL --token-file FILE}, shared by the verbs that talk to a controller. */
final class ControllerOptions {

  @Option(
      names = "--controller",
      paramLabel = "URL",
      description =
          "The controller's API (default: STAMP_CONTROLLER, else ROOT/controller/api.json).")
  String url;

  @Option(
      names = "--token-file",
      paramLabel = "FILE",
      description =
          "File with the API token (default: STAMP_CONTROLLER_TOKEN_FILE, else api.json's).")
  Path tokenFile;

  ControllerClient client(StampRoot root) throws ControllerException {
    return ControllerEndpoint.client(root, url, tokenFile);
  }
}
