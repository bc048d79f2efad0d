package dev.stamp.runtime.network;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.fs.AtomicFiles;
import dev.stamp.runtime.fs.LockFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Default subnets claimed by the state roots of this host, so two roots choosing their default
 * network before either bridge exists (the route that would tell them apart appears only at the
 * first attach) never pick the same one. One file per subnet under {@code /run/stamp/subnets/}
 * holding the claiming root's path, made under a host-wide lock; a claim whose root no longer has a
 * network file naming that subnet is stale and taken over. {@code /run} is emptied at boot, when
 * every bridge is gone too; each root's network file keeps its own choice across reboots.
 */
final class SubnetClaims {

  static final Path DIR = Path.of("/run/stamp/subnets");

  private final Path dir;

  SubnetClaims(Path dir) {
    this.dir = dir;
  }

  /**
   * Picks the first subnet {@code pick} accepts that no other live root claims, claims it for
   * {@code root} and returns it.
   */
  String claim(Path root, String bridge, List<DefaultSubnet.Route> routes)
      throws HostRuntimeException {
    try {
      Files.createDirectories(dir);
      try (LockFile.Held lock = LockFile.of(dir.resolve(".lock")).exclusive()) {
        Set<String> taken = new HashSet<>();
        try (Stream<Path> files = Files.list(dir)) {
          for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".claim")).toList()) {
            String subnet = f.getFileName().toString().replace(".claim", "").replace('_', '/');
            Path owner = Path.of(Files.readString(f, StandardCharsets.UTF_8).strip());
            if (!owner.equals(root) && claimedBy(owner, subnet)) {
              taken.add(subnet);
            }
          }
        }
        String subnet = DefaultSubnet.pick(bridge, routes, Predicate.not(taken::contains));
        AtomicFiles.write(
            dir.resolve(subnet.replace('/', '_') + ".claim"),
            (root + "\n").getBytes(StandardCharsets.UTF_8));
        return subnet;
      }
    } catch (IOException e) {
      throw HostRuntimeException.failed(
          "claim a default subnet in " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Whether {@code root}'s default network file still names {@code subnet}. */
  private static boolean claimedBy(Path root, String subnet) {
    try {
      return Files.readString(root.resolve("networks/bridge.json")).contains("\"" + subnet + "\"");
    } catch (IOException e) {
      return false;
    }
  }
}
