package dev.stamp.controller.git;

import dev.stamp.controller.ControllerException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.AndTreeFilter;
import org.eclipse.jgit.treewalk.filter.PathFilter;
import org.eclipse.jgit.treewalk.filter.TreeFilter;

/**
 * A commit's tree read through one {@link ObjectReader} (not thread-safe, so every method holds
 * this snapshot's monitor). Valid while its {@link GitRepository} is open.
 */
final class GitTreeSnapshot implements TreeSnapshot {

  private static final Set<PosixFilePermission> EXECUTABLE =
      PosixFilePermissions.fromString("rwxr-xr-x");
  private static final Set<PosixFilePermission> REGULAR =
      PosixFilePermissions.fromString("rw-r--r--");

  /** The largest file {@link #read} returns; bigger ones are for {@link #export}. */
  static final int MAX_READ = 16 << 20;

  private final CommitInfo commit;
  private final ObjectId tree;
  private final ObjectReader reader;
  private final String where;

  GitTreeSnapshot(Repository repo, CommitInfo commit, ObjectId tree, String repoName) {
    this.commit = commit;
    this.tree = tree;
    this.reader = repo.newObjectReader();
    this.where = repoName + "@" + commit.shortId();
  }

  @Override
  public CommitInfo commit() {
    return commit;
  }

  @Override
  public synchronized Optional<byte[]> read(String path) throws ControllerException {
    String p = RepoPaths.normalise("read " + where, path);
    if (p.isEmpty()) {
      return Optional.empty();
    }
    try (TreeWalk walk = TreeWalk.forPath(reader, p, tree)) {
      if (walk == null || !isFile(walk.getFileMode(0))) {
        return Optional.empty();
      }
      ObjectLoader blob = reader.open(walk.getObjectId(0));
      if (blob.getSize() > MAX_READ) {
        throw ControllerException.badInput(
            "read "
                + p
                + " in "
                + where
                + ": the file has "
                + blob.getSize()
                + " bytes, more than the "
                + (MAX_READ >> 20)
                + " MiB read() returns");
      }
      return Optional.of(blob.getCachedBytes(MAX_READ));
    } catch (IOException e) {
      throw failure("read " + p, e);
    }
  }

  @Override
  public synchronized List<String> find(String under, String fileName) throws ControllerException {
    String dir = RepoPaths.normalise("find in " + where, under);
    String name = RepoPaths.fileName("find in " + where, fileName);
    List<String> found = new ArrayList<>();
    try (TreeWalk walk = new TreeWalk(reader)) {
      walk.addTree(tree);
      walk.setRecursive(false);
      TreeFilter byName = new NameFilter(name);
      walk.setFilter(dir.isEmpty() ? byName : AndTreeFilter.create(PathFilter.create(dir), byName));
      while (walk.next()) {
        if (walk.isSubtree()) {
          walk.enterSubtree();
        } else if (isFile(walk.getFileMode(0)) && name.equals(walk.getNameString())) {
          found.add(walk.getPathString());
        }
      }
    } catch (IOException e) {
      throw failure("find " + name + " under \"" + dir + "\"", e);
    }
    found.sort(null);
    return List.copyOf(found);
  }

  @Override
  public synchronized Optional<String> treeId(String dir) throws ControllerException {
    String p = RepoPaths.normalise("tree id in " + where, dir);
    if (p.isEmpty()) {
      return Optional.of(tree.name());
    }
    return entry(p, FileMode.TREE).map(ObjectId::name);
  }

  @Override
  public synchronized Optional<String> blobId(String path) throws ControllerException {
    String p = RepoPaths.normalise("blob id in " + where, path);
    if (p.isEmpty()) {
      return Optional.empty();
    }
    try (TreeWalk walk = TreeWalk.forPath(reader, p, tree)) {
      if (walk == null
          || walk.getFileMode(0).getObjectType() != org.eclipse.jgit.lib.Constants.OBJ_BLOB) {
        return Optional.empty();
      }
      return Optional.of(walk.getObjectId(0).name());
    } catch (IOException e) {
      throw failure("blob id of " + p, e);
    }
  }

  @Override
  public synchronized void export(String dir, Path target) throws ControllerException {
    String d = RepoPaths.normalise("export from " + where, dir);
    String what = "export " + where + ":" + (d.isEmpty() ? "/" : d) + " to " + target;
    Path root = emptyDirectory(what, target);
    ObjectId start;
    if (d.isEmpty()) {
      start = tree;
    } else {
      start =
          entry(d, FileMode.TREE)
              .orElseThrow(
                  () -> ControllerException.notFound(what + ": no directory \"" + d + "\" there"));
    }
    Set<String> madeDirs = new HashSet<>();
    madeDirs.add("");
    try (TreeWalk walk = new TreeWalk(reader)) {
      walk.addTree(start);
      walk.setRecursive(false);
      while (walk.next()) {
        String rel = walk.getPathString();
        checkName(what, walk.getNameString(), rel);
        FileMode mode = walk.getFileMode(0);
        String parent = rel.contains("/") ? rel.substring(0, rel.lastIndexOf('/')) : "";
        if (!madeDirs.contains(parent)) {
          // the parent is not a directory this export made (a symlink in a malformed tree)
          throw ControllerException.failed(
              what + ": refusing \"" + rel + "\": its parent is not a directory written here",
              null);
        }
        Path out = root.resolve(rel);
        if (walk.isSubtree()) {
          Files.createDirectory(out);
          madeDirs.add(rel);
          walk.enterSubtree();
        } else if (FileMode.SYMLINK.equals(mode)) {
          byte[] link = reader.open(walk.getObjectId(0)).getCachedBytes(4096);
          Files.createSymbolicLink(out, Path.of(new String(link, StandardCharsets.UTF_8)));
        } else if (isFile(mode)) {
          writeFile(out, walk.getObjectId(0), FileMode.EXECUTABLE_FILE.equals(mode));
        }
        // gitlinks (submodules) are skipped
      }
    } catch (InvalidPathException e) {
      throw ControllerException.failed(
          what + ": the tree has a symlink with an unusable target", e);
    } catch (FileAlreadyExistsException e) {
      throw ControllerException.failed(
          what + ": \"" + root.relativize(Path.of(e.getFile())) + "\" appears twice in the tree",
          e);
    } catch (IOException e) {
      throw failure(what, e);
    }
  }

  private void writeFile(Path out, ObjectId blob, boolean executable) throws IOException {
    // CREATE_NEW never follows a symlink at out: it fails if anything exists there
    try (OutputStream os =
        Files.newOutputStream(
            out,
            StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE,
            LinkOption.NOFOLLOW_LINKS)) {
      reader.open(blob).copyTo(os);
    }
    Files.getFileAttributeView(out, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
        .setPermissions(executable ? EXECUTABLE : REGULAR);
  }

  private static Path emptyDirectory(String what, Path target) throws ControllerException {
    if (target == null) {
      throw ControllerException.badInput(what + ": no target directory");
    }
    try {
      Path real = target.toRealPath();
      if (!Files.isDirectory(real, LinkOption.NOFOLLOW_LINKS)) {
        throw ControllerException.badInput(what + ": the target is not a directory");
      }
      try (Stream<Path> entries = Files.list(real)) {
        if (entries.findAny().isPresent()) {
          throw ControllerException.badInput(what + ": the target directory is not empty");
        }
      }
      return real;
    } catch (IOException e) {
      throw ControllerException.badInput(
          what
              + ": the target directory is missing or unreadable ("
              + e.getClass().getSimpleName()
              + ")");
    }
  }

  private static void checkName(String what, String name, String rel) throws ControllerException {
    if (name.isEmpty() || name.equals(".") || name.equals("..") || name.equals(".git")) {
      throw ControllerException.failed(
          what + ": the tree has an unsafe entry \"" + rel + "\"; nothing more is written", null);
    }
  }

  private Optional<ObjectId> entry(String path, FileMode wanted) throws ControllerException {
    try (TreeWalk walk = TreeWalk.forPath(reader, path, tree)) {
      if (walk == null || !wanted.equals(walk.getFileMode(0))) {
        return Optional.empty();
      }
      return Optional.of(walk.getObjectId(0));
    } catch (IOException e) {
      throw failure("look up " + path, e);
    }
  }

  private static boolean isFile(FileMode mode) {
    return FileMode.REGULAR_FILE.equals(mode) || FileMode.EXECUTABLE_FILE.equals(mode);
  }

  private ControllerException failure(String action, IOException e) {
    return ControllerException.failed(
        action + " in " + where + ": " + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
  }

  /** Keeps subtrees (to descend into) and entries named {@code name}. */
  private static final class NameFilter extends TreeFilter {
    private final String name;

    NameFilter(String name) {
      this.name = name;
    }

    @Override
    public boolean include(TreeWalk walker) {
      return walker.isSubtree() || name.equals(walker.getNameString());
    }

    @Override
    public boolean shouldBeRecursive() {
      return false;
    }

    @Override
    public TreeFilter clone() {
      return this;
    }
  }
}
