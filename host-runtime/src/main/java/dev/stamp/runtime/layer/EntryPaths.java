package dev.stamp.runtime.layer;

import dev.stamp.runtime.HostRuntimeException;
import java.util.ArrayDeque;
import java.util.Deque;

/** Lexical cleaning of tar entry names: relative, no {@code .} or {@code ..}, no empty parts. */
final class EntryPaths {

  private EntryPaths() {}

  /** Why a name cannot be placed inside a layer directory. */
  static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;

    Refused(String reason) {
      super(reason, null, false, false);
    }
  }

  /**
   * {@code name} as a clean relative path ("" for the layer root). Refused: empty, NUL bytes,
   * absolute, or climbing above the root with {@code ..}.
   */
  static String clean(String name) throws Refused {
    if (name.isEmpty()) {
      throw new Refused("is empty");
    }
    if (name.indexOf('\0') >= 0) {
      throw new Refused("contains a NUL byte");
    }
    if (name.startsWith("/")) {
      throw new Refused("is an absolute path");
    }
    Deque<String> parts = new ArrayDeque<>();
    for (String part : name.split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (parts.isEmpty()) {
          throw new Refused("escapes the layer directory");
        }
        parts.removeLast();
      } else {
        parts.addLast(part);
      }
    }
    return String.join("/", parts);
  }

  /**
   * {@link #clean(String) clean}, for a name {@code entry} of the archive {@code what} holds: its
   * own name ({@code role} empty) or the one it refers to ({@code role} "hard link target ").
   * BAD_INPUT naming the entry when refused.
   */
  static String clean(String what, TarEntry entry, String name, String role)
      throws HostRuntimeException {
    try {
      return clean(name);
    } catch (Refused e) {
      throw refuse(
          what,
          entry,
          role.isEmpty() ? e.getMessage() : role + "\"" + printable(name) + "\" " + e.getMessage());
    }
  }

  /** BAD_INPUT {@code WHAT: entry "NAME" WHY}: the archive {@code what} holds a bad entry. */
  static HostRuntimeException refuse(String what, TarEntry entry, String why) {
    return HostRuntimeException.badInput(
        what + ": entry \"" + printable(entry.name()) + "\" " + why);
  }

  /** "a/b/c" → "a/b"; "c" → "". */
  static String parent(String rel) {
    int slash = rel.lastIndexOf('/');
    return slash < 0 ? "" : rel.substring(0, slash);
  }

  /** The name with control characters escaped, so a message stays one readable line. */
  static String printable(String name) {
    StringBuilder sb = new StringBuilder();
    name.codePoints()
        .forEach(
            c ->
                sb.append(
                    c < 0x20 || c == 0x7f ? String.format("\\x%02x", c) : Character.toString(c)));
    return sb.toString();
  }
}
