package dev.stamp.builder.context;

import dev.stamp.builder.BuildException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Files the builder itself reads from the build context (the Dockerfile, .dockerignore). */
public final class ContextPaths {

  private ContextPaths() {}

  /**
   * Refuses {@code file} when it lies in {@code contextDir} but resolves, through a symlink, to a
   * file outside it: a context from Git must not make the builder read (and echo in its errors) a
   * file of the build host. A file named outside the context (as {@code -f} may) is the caller's.
   */
  public static void checkInside(Path contextDir, Path file, String what) throws BuildException {
    Path context = contextDir.toAbsolutePath().normalize();
    Path named = file.toAbsolutePath().normalize();
    if (!named.startsWith(context) || !Files.exists(named)) {
      return;
    }
    try {
      if (!named.toRealPath().startsWith(context.toRealPath())) {
        throw BuildException.badInput(
            what
                + " "
                + file
                + " is a symlink leading out of the build context "
                + contextDir
                + " (name the real file)");
      }
    } catch (IOException e) {
      throw BuildException.failed("read " + file + ": " + e.getMessage(), e);
    }
  }
}
