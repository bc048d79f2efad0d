package dev.stamp.controller.git;

import dev.stamp.controller.ControllerException;
import java.util.ArrayList;
import java.util.List;

/** Repository-relative paths as callers give them, checked and normalised. */
final class RepoPaths {

  private RepoPaths() {}

  /**
   * {@code path} with {@code /} separators, without empty or {@code .} segments and without a
   * trailing slash ({@code ""} is the root). Absolute paths, {@code ..} segments, backslashes and
   * control characters are BAD_INPUT naming {@code what} and the path.
   */
  static String normalise(String what, String path) throws ControllerException {
    if (path == null) {
      throw ControllerException.badInput(what + ": path is missing");
    }
    if (path.startsWith("/")) {
      throw ControllerException.badInput(
          what + ": \"" + path + "\" is absolute; expected a path relative to the repository");
    }
    if (path.indexOf('\\') >= 0 || path.chars().anyMatch(Character::isISOControl)) {
      throw ControllerException.badInput(
          what + ": \"" + printable(path) + "\" has a backslash or a control character");
    }
    List<String> kept = new ArrayList<>();
    for (String segment : path.split("/")) {
      if (segment.isEmpty() || segment.equals(".")) {
        continue;
      }
      if (segment.equals("..")) {
        throw ControllerException.badInput(
            what + ": \"" + path + "\" leaves its directory with '..'; expected a path below it");
      }
      kept.add(segment);
    }
    return String.join("/", kept);
  }

  /** A single file name: no separator, not {@code .} or {@code ..}. */
  static String fileName(String what, String name) throws ControllerException {
    if (name == null
        || name.isEmpty()
        || name.equals(".")
        || name.equals("..")
        || name.indexOf('/') >= 0
        || name.indexOf('\\') >= 0
        || name.chars().anyMatch(Character::isISOControl)) {
      throw ControllerException.badInput(
          what + ": expected a file name without separators, got \"" + printable(name) + "\"");
    }
    return name;
  }

  private static String printable(String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder b = new StringBuilder();
    s.chars().forEach(c -> b.append(Character.isISOControl(c) ? '?' : (char) c));
    return b.toString();
  }
}
