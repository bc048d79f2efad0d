package dev.stamp.runtime.layer;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.fs.InRoot;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Unpacked layer directories seen as the one filesystem overlayfs would make of them, without
 * mounting: a name comes from the topmost layer that has it; a whiteout (character device 0:0)
 * deletes it, an opaque directory or a non-directory hides everything below it in lower layers.
 * Paths resolve inside it with {@link InRoot}'s rules (an image's {@code /e -> /etc} is its own
 * {@code /etc}, never the host's), and no lookup follows a symlink of a layer directory on the
 * host.
 */
public final class LayerTree implements InRoot.Tree {

  private final Path live;
  private final List<Path> topFirst;
  private final Map<String, Optional<Path>> memo;

  private LayerTree(Path live, List<Path> topFirst, Map<String, Optional<Path>> memo) {
    this.live = live;
    this.topFirst = topFirst;
    this.memo = memo;
  }

  /** The layers, LOWEST FIRST (as a snapshot or an overlay's lowerdir list reversed holds them). */
  public static LayerTree of(List<Path> lowestFirst) {
    List<Path> top = new ArrayList<>(lowestFirst);
    java.util.Collections.reverse(top);
    return new LayerTree(null, List.copyOf(top), null);
  }

  /**
   * {@code upper} (being written, read afresh on every lookup) over {@code lowestFirst} (stored
   * layers that do not change: their answers are remembered), as a step's new layer sees the image.
   */
  public static LayerTree over(List<Path> lowestFirst, Path upper) {
    List<Path> top = new ArrayList<>(lowestFirst);
    java.util.Collections.reverse(top);
    return new LayerTree(upper, List.copyOf(top), new HashMap<>());
  }

  @Override
  public Optional<InRoot.Node> lookup(String dir, String name) throws IOException {
    Optional<Path> p = locate(dir, name);
    return p.isEmpty() ? Optional.empty() : Optional.of(InRoot.Node.of(p.get()));
  }

  /**
   * Where {@code path} leads inside the layers (see {@link InRoot#resolve}), e.g. {@code etc/x}.
   */
  public String resolve(String path, boolean followLast) throws HostRuntimeException {
    return InRoot.resolve(this, path, followLast);
  }

  /**
   * The host path of the entry {@code path} leads to, in the topmost layer that has it; empty when
   * the merged filesystem has no such entry. The root itself is the lowest layer.
   */
  public Optional<Path> find(String path, boolean followLast) throws HostRuntimeException {
    String rel = resolve(path, followLast);
    if (rel.isEmpty()) {
      return topFirst.isEmpty() ? Optional.empty() : Optional.of(topFirst.get(topFirst.size() - 1));
    }
    int slash = rel.lastIndexOf('/');
    try {
      return locate(slash < 0 ? "" : rel.substring(0, slash), rel.substring(slash + 1));
    } catch (IOException e) {
      throw HostRuntimeException.failed("read /" + rel + " in the image's layers: " + e, e);
    }
  }

  /**
   * The regular file {@code path} leads to, as UTF-8; empty when there is none (absent, deleted, a
   * directory or a special file).
   */
  public Optional<String> readString(String path) throws HostRuntimeException {
    Optional<Path> p = find(path, true);
    if (p.isEmpty() || !Files.isRegularFile(p.get(), LinkOption.NOFOLLOW_LINKS)) {
      return Optional.empty();
    }
    try (InputStream in = Files.newInputStream(p.get(), LinkOption.NOFOLLOW_LINKS)) {
      return Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw HostRuntimeException.failed("read " + path + " in the image's layers: " + e, e);
    }
  }

  /**
   * The host path of {@code dir/name} in the topmost layer that has it. {@code dir} has no symlink;
   * in each layer it is walked component by component, so a layer where a component is a symlink, a
   * file or a whiteout hides the lower ones instead of being followed.
   */
  private Optional<Path> locate(String dir, String name) throws IOException {
    String[] parts = dir.isEmpty() ? new String[0] : dir.split("/");
    if (live != null) {
      Optional<Path> found = inLayer(live, parts, name);
      if (found != null) {
        return found;
      }
    }
    if (memo == null) {
      return inLayers(parts, name);
    }
    String key = dir + "\0" + name;
    Optional<Path> known = memo.get(key);
    if (known == null) {
      known = inLayers(parts, name);
      memo.put(key, known);
    }
    return known;
  }

  private Optional<Path> inLayers(String[] parts, String name) throws IOException {
    for (Path layer : topFirst) {
      Optional<Path> found = inLayer(layer, parts, name);
      if (found != null) {
        return found;
      }
    }
    return Optional.empty();
  }

  /**
   * The answer of one layer: the entry, empty when this layer deletes or hides it, null when the
   * lower layers decide.
   */
  private static Optional<Path> inLayer(Path layer, String[] parts, String name)
      throws IOException {
    Path p = layer;
    boolean opaque = false;
    for (String part : parts) {
      p = p.resolve(part);
      BasicFileAttributes a = attributes(p);
      if (a == null) {
        return opaque ? Optional.empty() : null;
      }
      if (!a.isDirectory() || isWhiteout(p, a)) {
        return Optional.empty(); // a file, link or whiteout here hides the lower layers
      }
      opaque |= isOpaque(p);
    }
    Path candidate = p.resolve(name);
    BasicFileAttributes a = attributes(candidate);
    if (a != null) {
      return isWhiteout(candidate, a) ? Optional.empty() : Optional.of(candidate);
    }
    return opaque ? Optional.empty() : null;
  }

  private static BasicFileAttributes attributes(Path p) throws IOException {
    try {
      return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  private static boolean isWhiteout(Path p, BasicFileAttributes a) throws IOException {
    if (!a.isOther()) {
      return false;
    }
    int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    Object rdev = Files.getAttribute(p, "unix:rdev", LinkOption.NOFOLLOW_LINKS);
    return (mode & 0170000) == 0020000 && ((Number) rdev).longValue() == 0;
  }

  private static boolean isOpaque(Path dir) throws IOException {
    for (String name : List.of(Whiteouts.TRUSTED_OPAQUE_XATTR, Whiteouts.USER_OPAQUE_XATTR)) {
      byte[] v = Posix.getXattr(dir, name);
      if (v != null && v.length == 1 && v[0] == 'y') {
        return true;
      }
    }
    return false;
  }
}
