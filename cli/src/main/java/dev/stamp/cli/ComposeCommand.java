package dev.stamp.cli;

import dev.stamp.controller.ControllerException;
import dev.stamp.controller.compose.ComposeApp;
import dev.stamp.controller.compose.ComposeLoader;
import dev.stamp.runtime.StampException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code stamp up|down [-f compose.yaml]}: a Compose app on the local agent, without Git. */
abstract class ComposeCommand extends StampCommand {

  @Mixin AgentOptions agent;

  @Option(
      names = {"-f", "--file"},
      paramLabel = "FILE",
      description = "The Compose file (default: ./compose.yaml).")
  Path file = Path.of(ComposeLoader.FILE_NAME);

  /** The app {@link #file} describes, with {@code .env} and the process environment. */
  final ComposeApp load() throws StampException {
    if (!Files.isRegularFile(file)) {
      throw ControllerException.badInput(file + ": no such file (pass -f FILE)");
    }
    Path dir = file.toAbsolutePath().getParent();
    try {
      ComposeApp app =
          ComposeLoader.load(
              file.toString(),
              Files.readAllBytes(file),
              dir.toString(),
              ComposeLoader.ProjectFiles.of(dir),
              ComposeLoader.processEnvironment());
      app.warnings().forEach(w -> err().println("warning: " + w));
      err().flush();
      return app;
    } catch (IOException e) {
      throw ControllerException.failed("read " + file + ": " + e.getMessage(), e);
    }
  }
}
