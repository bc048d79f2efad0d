package dev.stamp.runtime.fs;

import dev.stamp.runtime.HostRuntimeException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The version marker of a state root, {@code ROOT/stamp-root}: one line {@code format=N}. A root
 * without one is from before the marker (format 1) and gets it on its first check; a root of a
 * newer format, or a marker that is not one, is refused before anything under the root is read or
 * changed.
 */
public final class RootFormat {

  /** The format this Stamp writes and reads. */
  public static final int CURRENT = 1;

  public static final String FILE = "stamp-root";

  private RootFormat() {}

  /**
   * Checks {@code root}'s marker (writing it when missing): BAD_INPUT naming the file when the root
   * was written by a newer Stamp or the marker is unreadable. A missing root is fine (nothing
   * written).
   */
  public static void check(Path root) throws HostRuntimeException {
    Path file = root.resolve(FILE);
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      write(root, file);
      return;
    } catch (IOException e) {
      throw HostRuntimeException.failed(
          "open state root " + root + ": read " + file + ": " + e.getMessage(), e);
    }
    int format = parse(file, text);
    if (format > CURRENT) {
      throw HostRuntimeException.badInput(
          "open state root "
              + root
              + ": "
              + file
              + " says format "
              + format
              + ", written by a newer Stamp (this one reads format "
              + CURRENT
              + "); use that Stamp, or another --root; nothing was changed");
    }
  }

  /** {@link #check} without writing a missing marker (for a reader that may not write). */
  public static void checkReadOnly(Path root) throws HostRuntimeException {
    if (Files.exists(root.resolve(FILE))) {
      check(root);
    }
  }

  static int parse(Path file, String text) throws HostRuntimeException {
    String line = text.strip();
    if (line.startsWith("format=")) {
      try {
        int format = Integer.parseInt(line.substring("format=".length()));
        if (format >= 1) {
          return format;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    throw HostRuntimeException.badInput(
        "open state root "
            + file.getParent()
            + ": "
            + file
            + " is not a Stamp root marker (expected one line 'format=N', found "
            + (line.length() > 40 ? line.substring(0, 40) + "..." : "'" + line + "'")
            + "): half-written, or not Stamp's; nothing was changed");
  }

  private static void write(Path root, Path file) throws HostRuntimeException {
    if (!Files.isDirectory(root)) {
      return;
    }
    try {
      AtomicFiles.write(file, ("format=" + CURRENT + "\n").getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw HostRuntimeException.failed(
          "open state root " + root + ": write " + file + ": " + e.getMessage(), e);
    }
  }
}
