package dev.stamp.builder.engine;

import dev.stamp.builder.BuildException;
import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.layer.LayerStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A tree COPY reads from, with its cache key: the context, or the root filesystem of a stage or
 * image. A single layer is read in place; several are stacked in a read-only overlay mount (the
 * stand-in's {@code mount} command; needs root) that {@link #close} removes.
 *
 * <p>That mount is on the host (the JVM reads it, and a {@code RUN --mount from=} binds it into the
 * RUN container, which the kernel allows only from the binder's own mount namespace), so an intent
 * record, {@code MOUNTPOINT.mount}, is written before it is made and removed after it is undone.
 * The mount point is inside the build's temp dir, named after the building process: when that
 * process is killed, the next recovery pass ({@code RootRecovery}) unmounts it and deletes the dir.
 */
record SourceView(SourceTree tree, String key, Path mountPoint) implements AutoCloseable {

  static SourceView of(List<Path> dirs, String key, Path mountPoint)
      throws BuildException, IOException, HostRuntimeException {
    if (dirs.isEmpty()) {
      Files.createDirectories(mountPoint);
      return new SourceView(SourceTree.filesystem(mountPoint), key, null);
    }
    if (dirs.size() == 1) {
      return new SourceView(SourceTree.filesystem(dirs.get(0)), key, null);
    }
    Files.createDirectories(mountPoint);
    String options = "ro," + LayerStore.lowerdirOption(dirs);
    Files.writeString(intent(mountPoint), "overlay stamp-from " + mountPoint + "\n");
    exec("/bin/mount", "-t", "overlay", "stamp-from", "-o", options, mountPoint.toString());
    return new SourceView(SourceTree.filesystem(mountPoint), key, mountPoint);
  }

  /** The intent record of a mount at {@code mountPoint}. */
  static Path intent(Path mountPoint) {
    return mountPoint.resolveSibling(mountPoint.getFileName() + ".mount");
  }

  private static void exec(String... argv) throws BuildException, IOException {
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes()).strip();
    try {
      if (p.waitFor() != 0) {
        throw BuildException.failed(String.join(" ", argv) + ": " + out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw BuildException.failed(String.join(" ", argv) + ": interrupted");
    }
  }

  @Override
  public void close() throws BuildException {
    if (mountPoint != null) {
      try {
        exec("/bin/umount", "-l", mountPoint.toString());
        Files.deleteIfExists(intent(mountPoint));
      } catch (IOException e) {
        throw BuildException.failed("umount " + mountPoint + ": " + e.getMessage(), e);
      }
    }
  }
}
