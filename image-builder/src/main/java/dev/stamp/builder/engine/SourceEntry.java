package dev.stamp.builder.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;

/**
 * One path of a source tree as a cache key sees it: its mode (type and permission bits), a
 * symlink's target, a regular file's content digest (remembered by file identity, see {@link
 * SourceTree#digest}); never its times. The one place COPY/ADD keys ({@link CopyPlan}) and RUN bind
 * keys ({@link RunMounts}) read sources.
 */
record SourceEntry(int mode, String linkTarget, String digest) {

  static final int TYPE = 0170000;
  static final int LINK = 0120000;
  static final int FILE = 0100000;
  static final int DIR = 0040000;

  static SourceEntry read(SourceTree tree, String rel) throws IOException {
    Path p = tree.path(rel);
    Map<String, Object> a =
        Files.readAttributes(p, SourceTree.ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
    int mode = (Integer) a.get("mode");
    int type = mode & TYPE;
    return new SourceEntry(
        mode,
        type == LINK ? String.valueOf(Files.readSymbolicLink(p)) : null,
        type == FILE ? String.valueOf(tree.digest(rel, a)) : null);
  }

  int type() {
    return mode & TYPE;
  }

  int permissions() {
    return mode & 07777;
  }
}
