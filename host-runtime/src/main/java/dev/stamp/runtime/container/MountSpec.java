package dev.stamp.runtime.container;

import dev.stamp.runtime.HostRuntimeException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * One {@code -v SRC:DST[:ro|rw]}: a bind mount when SRC is an absolute host path, else a named
 * volume (kept under {@code ROOT/volumes/NAME/_data}, created on first use).
 */
public record MountSpec(String source, String target, boolean readOnly) {

  private static final Pattern VOLUME_NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]*");

  public MountSpec {
    if (source.contains("\0") || target.contains("\0")) {
      throw new IllegalArgumentException("NUL in mount");
    }
  }

  public boolean isBind() {
    return source.startsWith("/");
  }

  /** Parses {@code SRC:DST[:ro|rw]}; the message quotes the flag. */
  public static MountSpec parse(String text) throws HostRuntimeException {
    String[] parts = text.split(":", -1);
    if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
      throw HostRuntimeException.badInput("-v " + text + ": expected SRC:DST[:ro|rw]");
    }
    boolean ro = false;
    if (parts.length == 3) {
      switch (parts[2]) {
        case "ro" -> ro = true;
        case "rw" -> ro = false;
        default ->
            throw HostRuntimeException.badInput(
                "-v " + text + ": unknown option \"" + parts[2] + "\" (expected ro or rw)");
      }
    }
    String source = parts[0];
    String target = parts[1];
    if (!target.startsWith("/")) {
      throw HostRuntimeException.badInput("-v " + text + ": target must be an absolute path");
    }
    Path normal = Path.of(target).normalize();
    if (normal.equals(Path.of("/"))
        || normal.startsWith("/proc")
        || normal.startsWith("/sys")
        || normal.equals(Path.of("/dev"))) {
      throw HostRuntimeException.badInput(
          "-v " + text + ": cannot mount over " + normal + " (the runtime owns it)");
    }
    if (!source.startsWith("/") && !VOLUME_NAME.matcher(source).matches()) {
      throw HostRuntimeException.badInput(
          "-v " + text + ": source must be an absolute host path or a volume name");
    }
    return new MountSpec(source, normal.toString(), ro);
  }
}
