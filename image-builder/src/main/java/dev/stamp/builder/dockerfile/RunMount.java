package dev.stamp.builder.dockerfile;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * One {@code RUN --mount=…}: type bind (default), cache, tmpfs, secret or ssh, with its options.
 * {@code spec} is the option string as written; {@link #parse} validates it, deferring values that
 * contain a variable until {@link #expand}.
 */
public record RunMount(
    String type,
    Optional<String> from,
    Optional<String> source,
    Optional<String> target,
    boolean readOnly,
    Optional<String> id,
    Optional<String> sharing,
    boolean required,
    Optional<Integer> mode,
    Optional<Integer> uid,
    Optional<Integer> gid,
    Optional<String> size,
    Optional<String> env,
    String spec) {

  private static final Set<String> TYPES = Set.of("bind", "cache", "tmpfs", "secret", "ssh");
  private static final Set<String> SHARING = Set.of("shared", "private", "locked");

  /** Validates {@code spec} without substituting variables (values with a {@code $} wait). */
  public static RunMount parse(String spec) {
    try {
      return parse(spec, null);
    } catch (ExpansionException e) {
      throw new IllegalStateException("no expansion without an expander", e);
    }
  }

  /** This mount re-parsed with its values expanded. */
  public RunMount expand(Expander e) throws ExpansionException {
    return parse(spec, e);
  }

  private static RunMount parse(String spec, Expander expander) throws ExpansionException {
    Builder b = new Builder();
    for (String field : csvFields(spec)) {
      int eq = field.indexOf('=');
      String key = (eq < 0 ? field : field.substring(0, eq)).toLowerCase(Locale.ROOT);
      if (eq < 0) {
        if (b.flagOnly(key)) {
          continue;
        }
        throw new IllegalArgumentException(
            "invalid field '" + field + "' must be a key=value pair");
      }
      String value = field.substring(eq + 1);
      if (expander != null) {
        value = expander.word(value);
      } else if (value.contains("$")) {
        if (key.equals("from") && value.matches("(?s).*\\$.+")) {
          throw new IllegalArgumentException(
              "'from' doesn't support variable expansion, define alias stage instead");
        }
        if (!key.equals("type")) {
          b.deferred = true;
          continue;
        }
      }
      b.set(key, value, field);
    }
    return b.build(spec);
  }

  private static final class Builder {
    String type = "bind";
    String from;
    String source;
    String target;
    boolean readOnly;
    boolean roAuto = true;
    String id;
    String sharing;
    boolean required;
    Integer mode;
    Integer uid;
    Integer gid;
    String size;
    String env;
    boolean deferred;

    boolean flagOnly(String key) {
      switch (key) {
        case "readonly", "ro" -> {
          readOnly = true;
          roAuto = false;
          return true;
        }
        case "readwrite", "rw" -> {
          readOnly = false;
          roAuto = false;
          return true;
        }
        case "required" -> {
          requireSecretOrSsh(key);
          required = true;
          return true;
        }
        default -> {
          return false;
        }
      }
    }

    void requireSecretOrSsh(String key) {
      if (!type.equals("secret") && !type.equals("ssh")) {
        throw new IllegalArgumentException(
            "unexpected key '" + key + "' for mount type '" + type + "'");
      }
    }

    void set(String key, String value, String field) {
      switch (key) {
        case "type" -> {
          String t = value.toLowerCase(Locale.ROOT);
          if (!TYPES.contains(t)) {
            throw new IllegalArgumentException("unsupported mount type \"" + value + "\"");
          }
          type = t;
        }
        case "from" -> from = value;
        case "source", "src" -> source = value;
        case "target", "dst", "destination" -> target = value;
        case "readonly", "ro" -> {
          readOnly = bool(key, value);
          roAuto = false;
        }
        case "readwrite", "rw" -> {
          readOnly = !bool(key, value);
          roAuto = false;
        }
        case "required" -> {
          requireSecretOrSsh(key);
          required = bool(key, value);
        }
        case "id" -> id = value;
        case "sharing" -> {
          String s = value.toLowerCase(Locale.ROOT);
          if (!SHARING.contains(s)) {
            throw new IllegalArgumentException("unsupported sharing value \"" + value + "\"");
          }
          sharing = s;
        }
        case "mode" -> mode = number(key, value, 8);
        case "uid" -> uid = number(key, value, 10);
        case "gid" -> gid = number(key, value, 10);
        case "size" -> size = value;
        case "env" -> env = value;
        default ->
            throw new IllegalArgumentException("unexpected key '" + key + "' in '" + field + "'");
      }
    }

    RunMount build(String spec) {
      boolean fileInfo = type.equals("secret") || type.equals("ssh") || type.equals("cache");
      if (!fileInfo) {
        if (mode != null) {
          throw new IllegalArgumentException("mode not allowed for \"" + type + "\" type mounts");
        }
        if (uid != null) {
          throw new IllegalArgumentException("uid not allowed for \"" + type + "\" type mounts");
        }
        if (gid != null) {
          throw new IllegalArgumentException("gid not allowed for \"" + type + "\" type mounts");
        }
      }
      if (roAuto) {
        readOnly = !type.equals("cache") && !type.equals("tmpfs");
      }
      if (sharing != null && !type.equals("cache")) {
        throw new IllegalArgumentException("invalid cache sharing set for " + type + " mount");
      }
      if (size != null && !type.equals("tmpfs")) {
        throw new IllegalArgumentException("size is only allowed for tmpfs mounts");
      }
      if (type.equals("secret")) {
        if (from != null) {
          throw new IllegalArgumentException("secret mount should not have a from");
        }
        if (source == null && target == null && id == null && env == null && !deferred) {
          throw new IllegalArgumentException(
              "invalid secret mount. one of source, target required");
        }
        if (source != null && id != null) {
          throw new IllegalArgumentException("both source and id can't be set");
        }
      } else if (!type.equals("ssh") && target == null && !deferred) {
        throw new IllegalArgumentException("mount type=" + type + " requires a target");
      }
      return new RunMount(
          type,
          Optional.ofNullable(from),
          Optional.ofNullable(source),
          Optional.ofNullable(target),
          readOnly,
          Optional.ofNullable(id),
          Optional.ofNullable(sharing),
          required,
          Optional.ofNullable(mode),
          Optional.ofNullable(uid),
          Optional.ofNullable(gid),
          Optional.ofNullable(size),
          Optional.ofNullable(env),
          spec);
    }

    private static boolean bool(String key, String value) {
      String v = value.toLowerCase(Locale.ROOT);
      return switch (v) {
        case "1", "t", "true" -> true;
        case "0", "f", "false" -> false;
        default -> throw new IllegalArgumentException("invalid value for " + key + ": " + value);
      };
    }

    private static Integer number(String key, String value, int radix) {
      try {
        long n = Long.parseLong(value, radix);
        if (n < 0 || n > 0xFFFFFFFFL) {
          throw new NumberFormatException();
        }
        return (int) n;
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("invalid value " + value + " for " + key);
      }
    }
  }

  /** One CSV record (RFC 4180 quoting, as Go's encoding/csv reads it). */
  static List<String> csvFields(String spec) {
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    int i = 0;
    int n = spec.length();
    while (true) {
      field.setLength(0);
      if (i < n && spec.charAt(i) == '"') {
        i++;
        while (true) {
          if (i >= n) {
            throw new IllegalArgumentException(
                "failed to parse csv mounts: extraneous or missing \" in quoted-field");
          }
          char c = spec.charAt(i++);
          if (c == '"') {
            if (i < n && spec.charAt(i) == '"') {
              field.append('"');
              i++;
            } else {
              break;
            }
          } else {
            field.append(c);
          }
        }
        if (i < n && spec.charAt(i) != ',') {
          throw new IllegalArgumentException(
              "failed to parse csv mounts: extraneous or missing \" in quoted-field");
        }
      } else {
        while (i < n && spec.charAt(i) != ',') {
          char c = spec.charAt(i++);
          if (c == '"') {
            throw new IllegalArgumentException(
                "failed to parse csv mounts: bare \" in non-quoted-field");
          }
          field.append(c);
        }
      }
      fields.add(field.toString());
      if (i >= n) {
        return fields;
      }
      i++;
    }
  }
}
