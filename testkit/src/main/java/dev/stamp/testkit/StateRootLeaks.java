package dev.stamp.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a state root may have left on the host once its containers and services are removed, seen
 * from outside Stamp: mounts under it, processes whose root or cwd is under it, network namespace
 * files, containers' directories, cgroup directories named after its containers. A test calls
 * {@link #assertNone(Path, List)} at its end: a leak fails it with the list.
 */
public final class StateRootLeaks {

  private StateRootLeaks() {}

  /**
   * Fails when anything of {@code root} is left; {@code containerIds} are the containers the test
   * made (their cgroups are looked for under every hierarchy of /sys/fs/cgroup).
   */
  public static void assertNone(Path root, List<String> containerIds) {
    List<String> leaks = find(root, containerIds);
    if (!leaks.isEmpty()) {
      throw new AssertionError("state root " + root + " left:\n  " + String.join("\n  ", leaks));
    }
  }

  public static List<String> find(Path root, List<String> containerIds) {
    List<String> leaks = new ArrayList<>();
    String prefix = root.toAbsolutePath().normalize().toString();
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
        String[] f = line.split(" ");
        if (f.length > 4 && unescape(f[4]).startsWith(prefix + "/")) {
          leaks.add("mount " + unescape(f[4]));
        }
      }
    } catch (IOException e) {
      leaks.add("cannot read /proc/self/mountinfo: " + e.getMessage());
    }
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path p : procs.filter(p -> p.getFileName().toString().matches("[0-9]+")).toList()) {
        for (String link : List.of("root", "cwd")) {
          try {
            String target = Files.readSymbolicLink(p.resolve(link)).toString();
            if (target.startsWith(prefix + "/")) {
              leaks.add("process " + p.getFileName() + " has its " + link + " at " + target);
            }
          } catch (IOException | SecurityException e) {
            // gone, or a kernel thread
          }
        }
      }
    } catch (IOException e) {
      leaks.add("cannot list /proc: " + e.getMessage());
    }
    for (String dir : List.of("netns", "containers")) {
      Path d = root.resolve(dir);
      if (Files.isDirectory(d)) {
        try (Stream<Path> entries = Files.list(d)) {
          entries
              .filter(e -> !e.getFileName().toString().startsWith("."))
              .forEach(e -> leaks.add(dir + "/" + e.getFileName()));
        } catch (IOException e) {
          leaks.add("cannot list " + d + ": " + e.getMessage());
        }
      }
    }
    Path cgroups = Path.of("/sys/fs/cgroup");
    for (String id : containerIds) {
      try (Stream<Path> all =
          Files.find(
              cgroups,
              4,
              (p, a) ->
                  a.isDirectory()
                      && p.getFileName() != null
                      && p.getFileName().toString().equals(id))) {
        all.forEach(p -> leaks.add("cgroup " + p));
      } catch (IOException | java.io.UncheckedIOException e) {
        // an unreadable hierarchy tells nothing
      }
    }
    return leaks;
  }

  /** mountinfo escapes space, tab, newline and backslash as octal. */
  private static String unescape(String s) {
    return s.replace("\\040", " ")
        .replace("\\011", "\t")
        .replace("\\012", "\n")
        .replace("\\134", "\\");
  }
}
