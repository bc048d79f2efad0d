package dev.stamp.builder.context;

import dev.stamp.builder.BuildException;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeSet;

/**
 * Lists what of a build context a build may use: every file, symlink and directory not excluded by
 * the .dockerignore, as sorted slash-separated relative paths. Excluded directories are not entered
 * unless an exception pattern could re-include something inside them; the directories above a
 * re-included path are listed too (the build needs them to place it). Symlinks are not followed.
 */
public final class ContextFiles {

  private ContextFiles() {}

  public static List<String> list(Path contextDir, DockerIgnore ignore) throws BuildException {
    TreeSet<String> out = new TreeSet<>();
    try {
      Files.walkFileTree(
          contextDir,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
              String rel = relative(contextDir, dir);
              if (rel.isEmpty()) {
                return FileVisitResult.CONTINUE;
              }
              if (!ignore.isExcluded(rel)) {
                out.add(rel);
                return FileVisitResult.CONTINUE;
              }
              return ignore.mayIncludeUnder(rel)
                  ? FileVisitResult.CONTINUE
                  : FileVisitResult.SKIP_SUBTREE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
              String rel = relative(contextDir, file);
              if (!ignore.isExcluded(rel)) {
                out.add(rel);
                addParents(rel, out);
              }
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      throw BuildException.failed("list build context " + contextDir + ": " + e.getMessage(), e);
    }
    return Collections.unmodifiableList(new ArrayList<>(out));
  }

  private static void addParents(String rel, TreeSet<String> out) {
    int slash = rel.lastIndexOf('/');
    while (slash > 0) {
      String parent = rel.substring(0, slash);
      if (!out.add(parent)) {
        return;
      }
      slash = parent.lastIndexOf('/');
    }
  }

  private static String relative(Path root, Path p) {
    return root.relativize(p).toString().replace('\\', '/');
  }
}
