package dev.stamp.policies;

import java.util.Objects;

/**
 * Where a finding is: a file and, in a Dockerfile, a 1-based line and column (0 when unknown), or
 * in a deployment spec or image a path such as {@code services.web.deploy.resources.limits.memory}
 * or {@code layers[2]/usr/bin/sudo} (empty when none).
 */
public record Location(String file, int line, int column, String path) {

  public Location {
    Objects.requireNonNull(file, "file");
    path = path == null ? "" : path;
    if (line < 0 || column < 0) {
      throw new IllegalArgumentException("location " + file + ":" + line + ":" + column);
    }
  }

  public static Location at(String file, int line, int column) {
    return new Location(file, line, column, "");
  }

  public static Location path(String file, String path) {
    return new Location(file, 0, 0, path);
  }

  public static Location file(String file) {
    return new Location(file, 0, 0, "");
  }

  /**
   * {@code file:line:col}, {@code file:line}, {@code file: path} or {@code file} (a spec finding
   * with a line shows as {@code file:line}; {@link #path()} is still there).
   */
  @Override
  public String toString() {
    if (line > 0) {
      return file + ":" + line + (column > 0 ? ":" + column : "");
    }
    return path.isEmpty() ? file : file + ": " + path;
  }
}
