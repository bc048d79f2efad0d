package dev.stamp.controller.git;

import dev.stamp.controller.ControllerException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A directory on this machine seen as a {@link TreeSnapshot}, for {@code stamp up}: the same
 * planner, keys and builds as a Git commit, without Git. Tree ids are SHA-256 over the sorted
 * entries below a directory (path, kind, executable bit, content or link target), so equal
 * directories have equal ids. Symlinks are never followed, in reading as in exporting.
 */
public final class DirectorySnapshot implements TreeSnapshot {

  private final Path root;
  private final CommitInfo commit;

  /**
   * {@code root}'s files as of now; {@code label} stands in for the commit (its id is a hash of the
   * label, so tags read {@code app/service:<first 12 hex>}).
   */
  public DirectorySnapshot(Path root, String label) throws ControllerException {
    this.root = root.toAbsolutePath().normalize();
    if (!Files.isDirectory(this.root, LinkOption.NOFOLLOW_LINKS)) {
      throw ControllerException.badInput(root + ": not a directory");
    }
    String id = sha256(label.getBytes(StandardCharsets.UTF_8)).substring(0, 40);
    this.commit = new CommitInfo(id, id.substring(0, 12), "", "", Instant.now(), label);
  }

  @Override
  public CommitInfo commit() {
    return commit;
  }

  @Override
  public Optional<byte[]> read(String path) throws ControllerException {
    Path p = resolve(path);
    if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.empty();
    }
    try {
      return Optional.of(Files.readAllBytes(p));
    } catch (IOException e) {
      throw ControllerException.failed("read " + p + ": " + e.getMessage(), e);
    }
  }

  @Override
  public List<String> find(String under, String fileName) throws ControllerException {
    Path dir = resolve(under);
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return List.of();
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(p -> p.getFileName().toString().equals(fileName))
          .filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
          .map(p -> root.relativize(p).toString())
          .sorted()
          .toList();
    } catch (IOException e) {
      throw ControllerException.failed("list " + dir + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Optional<String> treeId(String dir) throws ControllerException {
    Path d = resolve(dir);
    if (!Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.empty();
    }
    try (Stream<Path> walk = Files.walk(d)) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      List<Path> entries = new ArrayList<>(walk.filter(p -> !p.equals(d)).toList());
      entries.sort(null);
      for (Path p : entries) {
        String rel = d.relativize(p).toString();
        if (Files.isSymbolicLink(p)) {
          md.update(
              ("l " + rel + " " + Files.readSymbolicLink(p) + "\n")
                  .getBytes(StandardCharsets.UTF_8));
        } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
          String kind = Files.isExecutable(p) ? "x " : "f ";
          md.update(
              (kind + rel + " " + sha256(Files.readAllBytes(p)) + "\n")
                  .getBytes(StandardCharsets.UTF_8));
        } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          md.update(("d " + rel + "\n").getBytes(StandardCharsets.UTF_8));
        }
      }
      return Optional.of(HexFormat.of().formatHex(md.digest()));
    } catch (IOException e) {
      throw ControllerException.failed("hash " + d + ": " + e.getMessage(), e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public Optional<String> blobId(String path) throws ControllerException {
    return read(path).map(DirectorySnapshot::sha256);
  }

  @Override
  public void export(String dir, Path target) throws ControllerException {
    Path from = resolve(dir);
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        Path to = target.resolve(from.relativize(p).toString()).normalize();
        if (!to.startsWith(target)) {
          throw ControllerException.badInput(p + ": would be written outside " + target);
        }
        if (p.equals(from)) {
          continue;
        }
        if (Files.isSymbolicLink(p)) {
          Files.createSymbolicLink(to, Files.readSymbolicLink(p));
        } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          Files.createDirectories(to);
        } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
          Files.copy(p, to, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
        }
      }
    } catch (IOException e) {
      throw ControllerException.failed(
          "export " + from + " to " + target + ": " + e.getMessage(), e);
    }
  }

  private Path resolve(String path) throws ControllerException {
    String p = path == null ? "" : path;
    if (p.startsWith("/") || Path.of(p).normalize().startsWith("..") || p.contains("\0")) {
      throw ControllerException.badInput(
          "path " + p + ": expected a path relative to " + root + " that stays inside it");
    }
    Path resolved = root.resolve(p).normalize();
    if (!resolved.startsWith(root)) {
      throw ControllerException.badInput("path " + p + ": leaves " + root);
    }
    // a symlinked directory on the way would lead outside: refuse it
    for (Path q = resolved; q != null && !q.equals(root); q = q.getParent()) {
      if (Files.isSymbolicLink(q) && !q.equals(resolved)) {
        throw ControllerException.badInput("path " + p + ": goes through the symlink " + q);
      }
    }
    return resolved;
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
