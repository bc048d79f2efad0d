package dev.stamp.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A minimal root filesystem made from Debian's static busybox ({@code busybox-static}), the base
 * every Stamp test builds for itself since no machine here reaches Docker Hub. Layout: {@code
 * /bin/busybox} plus one symlink per applet in {@code /bin}, {@code /etc/passwd} (root, nobody,
 * app=1000), {@code /etc/group}, empty {@code /tmp}, {@code /proc}, {@code /dev}, {@code /sys}.
 */
public final class BusyboxRootfs {

  public static final Path BUSYBOX = Path.of("/bin/busybox");

  private BusyboxRootfs() {}

  /** Whether the static busybox is installed; tests that need it skip when it is not. */
  public static boolean available() {
    return Files.isExecutable(BUSYBOX);
  }

  /** Lays the rootfs out in {@code dir} (created if missing) and returns {@code dir}. */
  public static Path create(Path dir) {
    try {
      Files.createDirectories(dir);
      Path bin = Files.createDirectories(dir.resolve("bin"));
      Files.copy(BUSYBOX, bin.resolve("busybox"));
      Files.setPosixFilePermissions(
          bin.resolve("busybox"), PosixFilePermissions.fromString("rwxr-xr-x"));
      for (String applet : applets()) {
        Path link = bin.resolve(applet);
        if (!applet.equals("busybox")
            && !Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          Files.createSymbolicLink(link, Path.of("busybox"));
        }
      }
      Path etc = Files.createDirectories(dir.resolve("etc"));
      Files.writeString(
          etc.resolve("passwd"),
          "root:x:0:0:root:/root:/bin/sh\n"
              + "app:x:1000:1000:app:/home/app:/bin/sh\n"
              + "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n");
      Files.writeString(
          etc.resolve("group"), "root:x:0:\napp:x:1000:\nstaff:x:50:app\nnogroup:x:65534:\n");
      for (String d : List.of("tmp", "proc", "dev", "sys", "root", "home/app", "usr/bin", "sbin")) {
        Files.createDirectories(dir.resolve(d));
      }
      Files.setPosixFilePermissions(
          dir.resolve("tmp"), PosixFilePermissions.fromString("rwxrwxrwx"));
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("lay out busybox rootfs in " + dir, e);
    }
  }

  /** Writes {@code rootfs} as a tar archive with GNU tar (numeric owners, sorted names). */
  public static Path tar(Path rootfs, Path tarFile) {
    run(
        List.of(
            "tar",
            "--sort=name",
            "--numeric-owner",
            "-C",
            rootfs.toString(),
            "-cf",
            tarFile.toString(),
            "."));
    return tarFile;
  }

  private static List<String> applets() throws IOException {
    Process p = new ProcessBuilder(BUSYBOX.toString(), "--list").redirectErrorStream(true).start();
    List<String> names = new ArrayList<>();
    for (String line : new String(p.getInputStream().readAllBytes()).split("\n")) {
      if (!line.isBlank() && !line.contains("/")) {
        names.add(line.strip());
      }
    }
    return names;
  }

  static void run(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
