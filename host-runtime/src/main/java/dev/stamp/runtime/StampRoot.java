package dev.stamp.runtime;

import java.nio.file.Path;
import java.util.Map;

/**
 * The one directory under which a Stamp host keeps all of its state (images, layers, containers).
 * Default {@code /var/lib/stamp}; {@code --root} or {@code STAMP_ROOT} move it, so tests use a
 * temporary root and never touch each other.
 */
public record StampRoot(Path path) {

  public static final Path DEFAULT = Path.of("/var/lib/stamp");
  public static final String ENV = "STAMP_ROOT";

  public StampRoot {
    path = path.toAbsolutePath().normalize();
  }

  /** The root chosen by an explicit flag, else the environment, else the default. */
  public static StampRoot resolve(Path flag, Map<String, String> env) {
    if (flag != null) {
      return new StampRoot(flag);
    }
    String fromEnv = env.get(ENV);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return new StampRoot(Path.of(fromEnv));
    }
    return new StampRoot(DEFAULT);
  }
}
