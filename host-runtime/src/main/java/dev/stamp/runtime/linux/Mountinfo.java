package dev.stamp.runtime.linux;

import dev.stamp.runtime.HostRuntimeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The mount table of this process ({@code /proc/self/mountinfo}), as far as Stamp reads it. */
public record Mountinfo(List<Entry> entries) {

  /** One mount: where, which filesystem type, its super-block options. */
  public record Entry(String root, Path mountPoint, String fsType, String superOptions) {}

  public static Mountinfo read() throws HostRuntimeException {
    try {
      return parse(Files.readAllLines(Path.of("/proc/self/mountinfo")));
    } catch (IOException e) {
      throw HostRuntimeException.failed("read /proc/self/mountinfo: " + e.getMessage(), e);
    }
  }

  static Mountinfo parse(List<String> lines) {
    return new Mountinfo(
        lines.stream()
            .filter(l -> l.contains(" - "))
            .map(
                l -> {
                  String[] before = l.substring(0, l.indexOf(" - ")).split(" ");
                  String[] after = l.substring(l.indexOf(" - ") + 3).split(" ");
                  return new Entry(
                      before[3],
                      Path.of(unescape(before[4])),
                      after[0],
                      after.length > 2 ? after[2] : "");
                })
            .toList());
  }

  private static String unescape(String s) {
    return s.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n");
  }

  /** Whether anything is mounted at or below {@code dir}. */
  public boolean anyUnder(Path dir) {
    return entries.stream().anyMatch(e -> e.mountPoint().startsWith(dir));
  }

  /**
   * v2 when /sys/fs/cgroup is cgroup2; else v1 with the controller mounts (and unified, if any).
   */
  Cgroups cgroups() throws HostRuntimeException {
    Map<String, Path> v1 = new LinkedHashMap<>();
    Optional<Path> unified = Optional.empty();
    for (Entry e : entries) {
      if (e.fsType().equals("cgroup2")) {
        if (e.mountPoint().equals(Path.of("/sys/fs/cgroup"))) {
          return new CgroupV2(e.mountPoint());
        }
        if (unified.isEmpty() && e.root().equals("/")) {
          unified = Optional.of(e.mountPoint());
        }
      } else if (e.fsType().equals("cgroup") && e.root().equals("/")) {
        for (String option : e.superOptions().split(",")) {
          if (CgroupV1.CONTROLLERS.contains(option)) {
            v1.putIfAbsent(option, e.mountPoint());
          }
        }
      }
    }
    if (v1.isEmpty()) {
      if (unified.isPresent()) {
        return new CgroupV2(unified.get());
      }
      throw HostRuntimeException.failed("detect cgroups: no cgroup v1 or v2 hierarchy is mounted");
    }
    return new CgroupV1(v1, unified);
  }
}
