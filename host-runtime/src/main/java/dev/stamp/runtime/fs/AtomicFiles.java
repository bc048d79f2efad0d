package dev.stamp.runtime.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Crash-safe file updates: write a temp file in the target's directory, fsync it, rename it over
 * the target, fsync the directory. A reader sees the old file or the new one, never a torn one.
 */
public final class AtomicFiles {

  private AtomicFiles() {}

  /** Replaces {@code target} with {@code bytes} atomically and durably. */
  public static void write(Path target, byte[] bytes) throws IOException {
    Path temp = target.resolveSibling("." + target.getFileName() + ".tmp-" + RandomBytes.hex(16));
    try {
      try (FileChannel ch =
          FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      rename(temp, target);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /**
   * Renames {@code source} to {@code target} atomically (replacing it) and fsyncs the directory.
   */
  public static void rename(Path source, Path target) throws IOException {
    try {
      Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("rename " + source + " to " + target + ": not on one filesystem", e);
    }
    syncDirectory(target.toAbsolutePath().getParent());
  }

  /** fsync of a directory, so a rename or create in it survives a crash. */
  public static void syncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  /** Deletes {@code path} and everything under it, never following symlinks; absent is fine. */
  public static void deleteTree(Path path) throws IOException {
    if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(
        path,
        new java.nio.file.SimpleFileVisitor<>() {
          @Override
          public java.nio.file.FileVisitResult visitFile(
              Path file, java.nio.file.attribute.BasicFileAttributes attrs) throws IOException {
            Files.delete(file);
            return java.nio.file.FileVisitResult.CONTINUE;
          }

          @Override
          public java.nio.file.FileVisitResult preVisitDirectory(
              Path dir, java.nio.file.attribute.BasicFileAttributes attrs) throws IOException {
            makeWritable(dir);
            return java.nio.file.FileVisitResult.CONTINUE;
          }

          @Override
          public java.nio.file.FileVisitResult postVisitDirectory(Path dir, IOException e)
              throws IOException {
            if (e != null) {
              throw e;
            }
            Files.delete(dir);
            return java.nio.file.FileVisitResult.CONTINUE;
          }
        });
  }

  /** A directory without owner write/exec (a layer's 0555 dir) cannot be emptied: fix it first. */
  private static void makeWritable(Path dir) {
    try {
      var perms = Files.getPosixFilePermissions(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS);
      if (!perms.contains(java.nio.file.attribute.PosixFilePermission.OWNER_WRITE)
          || !perms.contains(java.nio.file.attribute.PosixFilePermission.OWNER_EXECUTE)) {
        perms.add(java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        perms.add(java.nio.file.attribute.PosixFilePermission.OWNER_EXECUTE);
        perms.add(java.nio.file.attribute.PosixFilePermission.OWNER_READ);
        Files.setPosixFilePermissions(dir, perms);
      }
    } catch (IOException | UnsupportedOperationException e) {
      // Best effort: the delete below reports the real failure.
    }
  }
}
