package dev.stamp.builder.engine;

import dev.stamp.builder.BuildException;
import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.image.Digest;
import dev.stamp.runtime.layer.LayerUnpacker;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;

/**
 * ADD of a local archive: unpacked with the layer unpacker's refusals ({@code ../} entries and the
 * like) into a temp dir next to the staging dir, then merged into the destination (directories
 * merge, anything else replaces what is there, never followed).
 */
final class ArchiveExtraction {

  private ArchiveExtraction() {}

  /**
   * Extracts {@code tar} into {@code destDir}; errors name {@code at} ({@code FILE:LINE:COL: }).
   */
  static void extract(Path tar, Path destDir, Path staging, FileTime time, String at)
      throws IOException, BuildException {
    Files.createDirectories(destDir);
    Path temp = Files.createTempDirectory(staging.getParent(), "extract-");
    try (InputStream in = Files.newInputStream(tar)) {
      new LayerUnpacker()
          .unpack(in, temp, Digest.of(tar.getFileName().toString().getBytes()), null);
      mergeInto(temp, destDir);
    } catch (HostRuntimeException e) {
      // a bad archive stays BAD_INPUT, an I/O failure FAILED
      throw BuildException.wrap(at + "ADD " + tar.getFileName(), e);
    } finally {
      dev.stamp.runtime.fs.AtomicFiles.deleteTree(temp);
    }
  }

  private static void mergeInto(Path from, Path to) throws IOException {
    try (var children = Files.list(from)) {
      for (Path child : (Iterable<Path>) children::iterator) {
        Path target = to.resolve(child.getFileName().toString());
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)
            && Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
          mergeInto(child, target);
        } else {
          if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            dev.stamp.runtime.fs.AtomicFiles.deleteTree(target);
          }
          Files.move(child, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }
}
