package dev.stamp.runtime.container;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What the runtime needs from an image: its unpacked layers (lowest first, ready as overlay
 * lowerdirs) and the defaults from its OCI config.
 */
public record ResolvedImage(
    String reference,
    String id,
    List<Path> lowerDirs,
    List<String> env,
    List<String> entrypoint,
    List<String> cmd,
    Optional<String> workdir,
    Optional<String> user,
    Optional<String> stopSignal,
    List<String> exposedPorts) {

  public ResolvedImage {
    lowerDirs = List.copyOf(lowerDirs);
    env = orEmpty(env); // an image config may leave any of these out
    entrypoint = orEmpty(entrypoint);
    cmd = orEmpty(cmd);
    exposedPorts = orEmpty(exposedPorts);
  }

  /** A plain directory as the only, read-only layer ({@code --rootfs DIR}); no image defaults. */
  public static ResolvedImage ofDirectory(Path dir) {
    Path abs = dir.toAbsolutePath().normalize();
    return new ResolvedImage(
        abs.toString(),
        "",
        List.of(abs),
        List.of(),
        List.of(),
        List.of(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        List.of());
  }

  private static <T> List<T> orEmpty(List<T> list) {
    return list == null ? List.of() : List.copyOf(list);
  }
}
