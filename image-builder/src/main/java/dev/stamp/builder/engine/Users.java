package dev.stamp.builder.engine;

import dev.stamp.builder.BuildException;
import java.util.Optional;

/** Users and groups by name or number, from the snapshot's /etc/passwd and /etc/group. */
final class Users {

  private Users() {}

  /**
   * {@code uid:gid} a RUN runs as for {@code USER spec} (empty: root); errors start with {@code at}
   * (the RUN's {@code FILE:LINE:COL: }).
   */
  static String runUser(Snapshot snap, String spec, String at) throws BuildException {
    if (spec == null || spec.isEmpty()) {
      return "0:0";
    }
    String[] parts = spec.split(":", 2);
    long uid = user(snap, parts[0], at + "USER " + spec + ": ");
    long gid;
    if (parts.length > 1) {
      gid = group(snap, parts[1], at + "USER " + spec + ": ");
    } else {
      gid = passwdGid(snap, uid, at + "USER " + spec + ": ").orElse(0L);
    }
    return uid + ":" + gid;
  }

  /** {@code [uid, gid]} for {@code --chown=user[:group]}; a lone user gets its passwd group. */
  static int[] chown(Snapshot snap, String spec, String at) throws BuildException {
    String[] parts = spec.split(":", 2);
    long uid = user(snap, parts[0], at + "--chown=" + spec + ": ");
    long gid;
    if (parts.length > 1) {
      gid = group(snap, parts[1], at + "--chown=" + spec + ": ");
    } else if (parts[0].matches("\\d+")) {
      gid = uid;
    } else {
      gid = passwdGid(snap, uid, at + "--chown=" + spec + ": ").orElse(uid);
    }
    return new int[] {(int) uid, (int) gid};
  }

  private static long user(Snapshot snap, String name, String what) throws BuildException {
    return id(snap, name, "user", "/etc/passwd", what);
  }

  private static long group(Snapshot snap, String name, String what) throws BuildException {
    return id(snap, name, "group", "/etc/group", what);
  }

  /** A number as written, else the third field of {@code name}'s line in {@code file}. */
  private static long id(Snapshot snap, String name, String kind, String file, String what)
      throws BuildException {
    if (name.matches("\\d+")) {
      return Long.parseLong(name);
    }
    for (String line : snap.readFile(file, what).orElse("").split("\n")) {
      String[] f = line.split(":");
      if (f.length > 2 && f[0].equals(name)) {
        if (!f[2].matches("\\d{1,10}")) {
          throw BuildException.badInput(
              what
                  + "the image's "
                  + file
                  + " gives "
                  + kind
                  + " \""
                  + name
                  + "\" the id \""
                  + f[2]
                  + "\"; expected a number");
        }
        return Long.parseLong(f[2]);
      }
    }
    throw BuildException.badInput(what + "no " + kind + " \"" + name + "\" in the image's " + file);
  }

  private static Optional<Long> passwdGid(Snapshot snap, long uid, String what)
      throws BuildException {
    for (String line : snap.readFile("/etc/passwd", what).orElse("").split("\n")) {
      String[] f = line.split(":");
      if (f.length > 3 && f[2].equals(String.valueOf(uid)) && f[3].matches("\\d+")) {
        return Optional.of(Long.parseLong(f[3]));
      }
    }
    return Optional.empty();
  }
}
