package dev.stamp.runtime.container;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.layer.LayerTree;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Resolves {@code --user USER[:GROUP]} (names or numbers) against the image's own {@code
 * /etc/passwd} and {@code /etc/group}, read from its layers without mounting anything: the topmost
 * layer that has the file wins. Symlinks resolve inside the image ({@link LayerTree}), never on the
 * host: an image cannot make the JVM read a host file.
 */
public final class ImageUsers {

  /** Who the container's process runs as. */
  public record User(int uid, int gid, List<Integer> groups, String home) {}

  private ImageUsers() {}

  public static User resolve(List<Path> lowerDirsLowestFirst, Optional<String> spec)
      throws HostRuntimeException {
    String text = spec.orElse("").strip();
    List<String[]> passwd = table(lowerDirsLowestFirst, "passwd", text);
    List<String[]> group = table(lowerDirsLowestFirst, "group", text);
    String userPart = text.isEmpty() ? "0" : text.split(":", -1)[0];
    Optional<String> groupPart =
        text.contains(":") ? Optional.of(text.substring(text.indexOf(':') + 1)) : Optional.empty();

    Optional<String[]> entry =
        passwd.stream()
            .filter(f -> f.length >= 7)
            .filter(f -> f[0].equals(userPart) || (isNumber(userPart) && f[2].equals(userPart)))
            .findFirst();
    int uid;
    int gid;
    if (entry.isPresent()) {
      uid = parseId(entry.get()[2], "user " + userPart);
      gid = parseId(entry.get()[3], "user " + userPart);
    } else if (isNumber(userPart)) {
      uid = parseId(userPart, "user " + userPart);
      gid = 0;
    } else {
      throw HostRuntimeException.badInput(
          "--user " + text + ": unable to find user " + userPart + " in the image's /etc/passwd");
    }
    if (groupPart.isPresent()) {
      gid = resolveGroup(group, groupPart.get(), text);
    }
    List<Integer> groups = new ArrayList<>();
    groups.add(gid);
    if (entry.isPresent() && groupPart.isEmpty()) {
      String name = entry.get()[0];
      for (String[] g : group) {
        if (g.length >= 4 && List.of(g[3].split(",")).contains(name)) {
          int extra = parseId(g[2], "group " + g[0]);
          if (!groups.contains(extra)) {
            groups.add(extra);
          }
        }
      }
    }
    String home = entry.map(e -> e[5]).filter(h -> !h.isEmpty()).orElse("/");
    return new User(uid, gid, List.copyOf(groups), home);
  }

  private static int resolveGroup(List<String[]> group, String name, String text)
      throws HostRuntimeException {
    for (String[] g : group) {
      if (g.length >= 3 && (g[0].equals(name) || (isNumber(name) && g[2].equals(name)))) {
        return parseId(g[2], "group " + name);
      }
    }
    if (isNumber(name)) {
      return parseId(name, "group " + name);
    }
    throw HostRuntimeException.badInput(
        "--user " + text + ": unable to find group " + name + " in the image's /etc/group");
  }

  private static boolean isNumber(String s) {
    return !s.isEmpty() && s.chars().allMatch(Character::isDigit) && s.length() <= 10;
  }

  private static int parseId(String s, String what) throws HostRuntimeException {
    try {
      long v = Long.parseLong(s);
      if (v < 0 || v > 0xFFFF_FFFEL) {
        throw new NumberFormatException();
      }
      return (int) v;
    } catch (NumberFormatException e) {
      throw HostRuntimeException.badInput(what + ": id " + s + " is out of range");
    }
  }

  /**
   * The colon-separated lines of the image's /etc/NAME: the layers seen as one ({@link LayerTree}),
   * links followed inside the image only (an {@code /etc} linked to a host directory is that path
   * inside the image, not the host's file); empty when there is none. A link loop is bad input.
   */
  private static List<String[]> table(List<Path> lowestFirst, String name, String text)
      throws HostRuntimeException {
    Optional<String> content;
    try {
      content = LayerTree.of(lowestFirst).readString("/etc/" + name);
    } catch (HostRuntimeException e) {
      throw HostRuntimeException.wrap("--user " + text + ": read the image's /etc/" + name, e);
    }
    return content.isEmpty()
        ? List.of()
        : content.get().lines().map(l -> l.split(":", -1)).toList();
  }
}
