package dev.stamp.builder.engine;

import dev.stamp.builder.BuildException;
import dev.stamp.builder.context.ContextFiles;
import dev.stamp.builder.context.DockerIgnore;
import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.fs.InRoot;
import dev.stamp.runtime.image.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where COPY and ADD read from: the build context (only what .dockerignore lets through, every path
 * kept inside it) or the root filesystem of a stage or image ({@code --from}). Paths are relative,
 * slash-separated; {@code ""} is the root. File content digests are computed once per build.
 */
final class SourceTree {

  private final Path root;
  private final boolean context;
  private final NavigableSet<String> listing;
  private final Map<String, String> digests = new ConcurrentHashMap<>();

  private SourceTree(Path root, boolean context, NavigableSet<String> listing) {
    this.root = root;
    this.context = context;
    this.listing = listing;
  }

  static SourceTree context(Path contextDir, DockerIgnore ignore) throws BuildException {
    try {
      Path real = contextDir.toRealPath();
      return new SourceTree(real, true, new TreeSet<>(ContextFiles.list(real, ignore)));
    } catch (IOException e) {
      throw BuildException.notFound("build context " + contextDir + ": " + e.getMessage());
    }
  }

  static SourceTree filesystem(Path rootDir) {
    return new SourceTree(rootDir, false, null);
  }

  boolean isContext() {
    return context;
  }

  /**
   * Where source path {@code cleaned} leads: for a stage or image its directories resolved inside
   * that filesystem ({@link InRoot}: an absolute link is read against the stage's own root, a
   * climbing one stops there; the last component is kept, a link is copied as a link); for the
   * context the path itself (its links are checked by {@link #checkInside}). A loop is bad input
   * naming {@code what} and the path.
   */
  String resolve(String cleaned, String what) throws BuildException {
    if (context || cleaned.isEmpty()) {
      return cleaned;
    }
    try {
      return InRoot.resolve(root, cleaned, false);
    } catch (HostRuntimeException e) {
      throw BuildException.wrap(what, e);
    }
  }

  Path path(String rel) {
    return rel.isEmpty() ? root : root.resolve(rel);
  }

  boolean exists(String rel) {
    if (rel.isEmpty()) {
      return true;
    }
    if (context) {
      return listing.contains(rel);
    }
    return Files.exists(path(rel), LinkOption.NOFOLLOW_LINKS);
  }

  boolean isDirectory(String rel) {
    return Files.isDirectory(path(rel), LinkOption.NOFOLLOW_LINKS);
  }

  /** Every entry below directory {@code rel} (not itself), sorted. */
  List<String> under(String rel) throws IOException {
    if (context) {
      if (rel.isEmpty()) {
        return new ArrayList<>(listing);
      }
      return new ArrayList<>(listing.subSet(rel + "/", true, rel + "0", false));
    }
    Path dir = path(rel);
    List<String> out = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.filter(p -> !p.equals(dir)).forEach(p -> out.add(root.relativize(p).toString()));
    }
    out.sort(null);
    return out;
  }

  /**
   * The entries a COPY source names: a path, or a pattern ({@code *}, {@code ?}, {@code [..]}) per
   * path segment. {@code cleaned} is already normalised and inside the tree.
   */
  List<String> match(String cleaned) throws IOException {
    if (!hasWildcard(cleaned)) {
      return exists(cleaned) ? List.of(cleaned) : List.of();
    }
    String[] segments = cleaned.split("/");
    int fixed = 0;
    while (fixed < segments.length && !hasWildcard(segments[fixed])) {
      fixed++;
    }
    String prefix = String.join("/", java.util.Arrays.copyOf(segments, fixed));
    if (!exists(prefix) || !isDirectory(prefix)) {
      return List.of();
    }
    Pattern pattern = globToRegex(cleaned);
    int depth = segments.length;
    List<String> out = new ArrayList<>();
    for (String candidate : under(prefix)) {
      if (candidate.split("/").length == depth && pattern.matcher(candidate).matches()) {
        out.add(candidate);
      }
    }
    return out;
  }

  static boolean hasWildcard(String s) {
    return s.indexOf('*') >= 0 || s.indexOf('?') >= 0 || s.indexOf('[') >= 0;
  }

  static Pattern globToRegex(String glob) {
    StringBuilder re = new StringBuilder();
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      switch (c) {
        case '*' -> re.append("[^/]*");
        case '?' -> re.append("[^/]");
        case '[' -> {
          int end = glob.indexOf(']', i + 1);
          if (end < 0) {
            re.append("\\[");
          } else {
            String cls = glob.substring(i + 1, end).replace("\\", "\\\\");
            if (cls.startsWith("^") || cls.startsWith("!")) {
              cls = "^" + cls.substring(1);
            }
            re.append('[').append(cls).append(']');
            i = end;
          }
        }
        case '\\' -> {
          if (i + 1 < glob.length()) {
            re.append(Pattern.quote(String.valueOf(glob.charAt(++i))));
          }
        }
        default -> re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(re.toString());
  }

  /**
   * For the context, refuses a source whose parent directories lead outside it through a symlink,
   * or a symlink whose target points outside it (absolute, or too many {@code ..}). A stage's or
   * image's source is already resolved inside its filesystem ({@link #resolve}). Symlinks are
   * copied as symlinks.
   */
  void checkInside(String rel, String what) throws BuildException {
    checkInside(rel, what, true);
  }

  /**
   * As {@link #checkInside(String, String)}; {@code parents} false skips the parent check for
   * entries found by walking a checked directory (the walk never follows symlinks).
   */
  void checkInside(String rel, String what, boolean parents) throws BuildException {
    if (rel.isEmpty() || !context) {
      return; // a stage's or image's paths were resolved inside it; its links are copied as links
    }
    Path p = path(rel);
    try {
      if (parents && !p.getParent().toRealPath().startsWith(root.toRealPath())) {
        throw BuildException.badInput(
            what
                + ": \""
                + rel
                + "\" lies outside the build context (through a symlink; name the real path)");
      }
      if (Files.isSymbolicLink(p)) {
        Path target = Files.readSymbolicLink(p);
        Path resolved = p.getParent().resolve(target).normalize();
        if (target.isAbsolute() || !resolved.startsWith(root)) {
          throw BuildException.badInput(
              what
                  + ": symlink \""
                  + rel
                  + "\" -> \""
                  + target
                  + "\" points outside the build context");
        }
      }
    } catch (IOException e) {
      throw BuildException.failed(what + ": " + rel + ": " + e.getMessage(), e);
    }
  }

  /**
   * Digests remembered from earlier builds of this context, by file identity ({@code inode, size,
   * mtime, ctime} in ns): a file whose identity is unchanged is not read again. ctime cannot be set
   * back by a user, so a rewritten file always gets a new identity; a fresh clone gets new inodes
   * and is hashed afresh (and hits the same cache keys).
   */
  private final Map<String, String> remembered = new ConcurrentHashMap<>();

  private final Map<String, String> seen = new ConcurrentHashMap<>();

  void loadRemembered(Path file) {
    try {
      for (String line : Files.readAllLines(file)) {
        int tab = line.lastIndexOf('\t');
        if (tab > 0) {
          remembered.put(line.substring(0, tab), line.substring(tab + 1));
        }
      }
    } catch (IOException e) {
      // none yet, or unreadable: hash everything
    }
  }

  void saveRemembered(Path file) throws IOException {
    if (seen.isEmpty()) {
      return;
    }
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, String> e : new java.util.TreeMap<>(seen).entrySet()) {
      sb.append(e.getKey()).append('\t').append(e.getValue()).append('\n');
    }
    Files.createDirectories(file.getParent());
    dev.stamp.runtime.fs.AtomicFiles.write(
        file, sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  private String identity(String rel) throws IOException {
    return identity(rel, Files.readAttributes(path(rel), ATTRIBUTES, LinkOption.NOFOLLOW_LINKS));
  }

  private static String identity(String rel, Map<String, Object> a) {
    return rel.replace('\t', ' ').replace('\n', ' ')
        + "\t"
        + a.get("ino")
        + ":"
        + a.get("size")
        + ":"
        + ((java.nio.file.attribute.FileTime) a.get("lastModifiedTime"))
            .to(java.util.concurrent.TimeUnit.NANOSECONDS)
        + ":"
        + ((java.nio.file.attribute.FileTime) a.get("ctime"))
            .to(java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  /**
   * Reads regular file {@code rel}: from the context by path, from a stage or image through {@link
   * InRoot#open} (openat2 with RESOLVE_IN_ROOT), so even a link put in its way since it was
   * resolved leads inside that filesystem, never to the build host.
   */
  InputStream open(String rel) throws IOException {
    if (context) {
      return Files.newInputStream(path(rel), LinkOption.NOFOLLOW_LINKS);
    }
    try {
      return InRoot.open(root, rel);
    } catch (HostRuntimeException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  /** Copies regular file {@code rel} to {@code dst} (replaced if there); see {@link #open}. */
  void copyFile(String rel, Path dst) throws IOException {
    if (context) {
      Files.copy(path(rel), dst, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      return;
    }
    try (InputStream in = open(rel)) {
      Files.copy(in, dst, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** sha256 of a regular file's content, computed once. */
  String digest(String rel) throws IOException {
    return digest(rel, context ? identity(rel) : null);
  }

  /** The attributes {@link #digest(String, Map)} wants. */
  static final String ATTRIBUTES = "unix:mode,ino,size,lastModifiedTime,ctime";

  /** As {@link #digest(String)} with the file's attributes already read ({@link #ATTRIBUTES}). */
  String digest(String rel, Map<String, Object> attributes) throws IOException {
    return digest(rel, context ? identity(rel, attributes) : null);
  }

  private String digest(String rel, String identity) throws IOException {
    String cached = digests.get(rel);
    if (cached != null) {
      return cached;
    }
    if (identity != null) {
      String known = remembered.get(identity);
      if (known != null) {
        digests.put(rel, known);
        seen.put(identity, known);
        return known;
      }
    }
    MessageDigest md = Digest.sha256();
    byte[] buf = new byte[64 * 1024];
    try (InputStream in = open(rel)) {
      for (int n = in.read(buf); n > 0; n = in.read(buf)) {
        md.update(buf, 0, n);
      }
    }
    String hex = Digest.of(md).hex();
    digests.put(rel, hex);
    if (identity != null) {
      seen.put(identity, hex);
    }
    return hex;
  }
}
