package dev.stamp.runtime.container;

import dev.stamp.runtime.HostRuntimeException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One mount {@code SRC:DST[:ro]}: a bind mount when {@code source} is an absolute host path, else a
 * named volume (kept under {@code ROOT/volumes/NAME/_data}, created on first use). {@link
 * ContainerSpec.Builder#build} checks it ({@link #problem}); {@link #parse} reads {@code -v} text.
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

  /** Parses {@code SRC:DST[:ro|rw]} as {@code -v}. */
  public static MountSpec parse(String text) throws HostRuntimeException {
    return parse("-v", text);
  }

  /** Parses {@code SRC:DST[:ro|rw]}; a problem is reported as {@code PATH TEXT: reason}. */
  public static MountSpec parse(String path, String text) throws HostRuntimeException {
    String[] parts = text.split(":", -1);
    if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
      throw HostRuntimeException.badInput(path + " " + text + ": expected SRC:DST[:ro|rw]");
    }
    boolean ro = false;
    if (parts.length == 3) {
      switch (parts[2]) {
        case "ro" -> ro = true;
        case "rw" -> ro = false;
        default ->
            throw HostRuntimeException.badInput(
                path + " " + text + ": unknown option \"" + parts[2] + "\" (expected ro or rw)");
      }
    }
    MountSpec mount;
    try {
      mount = new MountSpec(parts[0], parts[1], ro);
    } catch (IllegalArgumentException e) {
      throw HostRuntimeException.badInput(path + " " + text + ": " + e.getMessage());
    }
    Optional<String> problem = mount.problem();
    if (problem.isPresent()) {
      throw HostRuntimeException.badInput(path + " " + text + ": " + problem.get());
    }
    return mount.normalized();
  }

  /** Why this mount cannot be made, if it cannot. */
  public Optional<String> problem() {
    if (!target.startsWith("/")) {
      return Optional.of("target must be an absolute path");
    }
    Path normal = Path.of(target).normalize();
    if (normal.equals(Path.of("/"))
        || normal.startsWith("/proc")
        || normal.startsWith("/sys")
        || normal.equals(Path.of("/dev"))) {
      return Optional.of("cannot mount over " + normal + " (the runtime owns it)");
    }
    if (!source.startsWith("/") && !VOLUME_NAME.matcher(source).matches()) {
      return Optional.of("source must be an absolute host path or a volume name");
    }
    return Optional.empty();
  }

  /** The same mount with its target normalized ({@code /data/} is {@code /data}). */
  public MountSpec normalized() {
    return target.startsWith("/")
        ? new MountSpec(source, Path.of(target).normalize().toString(), readOnly)
        : this;
  }

  /** {@code SRC:DST[:ro]}, as {@link #parse} reads it. */
  @Override
  public String toString() {
    return source + ":" + target + (readOnly ? ":ro" : "");
  }
}
