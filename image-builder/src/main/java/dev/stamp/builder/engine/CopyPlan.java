package dev.stamp.builder.engine;

import dev.stamp.builder.BuildException;
import dev.stamp.builder.context.ArchiveFormat;
import dev.stamp.builder.context.DockerIgnore;
import dev.stamp.builder.dockerfile.AddInstruction;
import dev.stamp.builder.dockerfile.DockerfileSyntaxException;
import dev.stamp.builder.dockerfile.Heredoc;
import dev.stamp.builder.dockerfile.SourceLocation;
import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampException;
import dev.stamp.runtime.image.Digest;
import dev.stamp.runtime.layer.LayerUnpacker;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one COPY or ADD puts where: each source entry with its destination path in the image, the
 * inline (here-document) files, the tar archives ADD extracts and the URLs ADD downloads (never
 * extracted, mode 0600 unless --chmod, mtime SOURCE_DATE_EPOCH like every copied file). {@link
 * #keyMaterial} is the step's exact input for the cache (destinations, types, modes, content
 * digests, link targets, a URL's --checksum or downloaded digest; never mtimes); {@link #stage}
 * writes the files into an empty directory that becomes the layer.
 */
final class CopyPlan {

  /** One source entry and where it lands (absolute image path). */
  record Item(String source, String dest, boolean extract) {}

  /** A here-document file. */
  record Inline(String dest, String content) {}

  /** An ADD'ed http(s) URL and the file it becomes (never extracted). */
  record Remote(URI url, String source, String dest) {}

  /**
   * What an ADD (not a COPY) needs for URL sources: the {@code --checksum} if any, the downloader,
   * and where downloads go (the build's temp dir).
   */
  record AddOptions(Optional<String> checksum, UrlDownloader downloader, Path downloads) {}

  /** Hex lengths of the algorithms {@code --checksum} accepts. */
  private static final Map<String, Integer> CHECKSUM_HEX =
      Map.of("sha256", 64, "sha384", 96, "sha512", 128);

  private final SourceTree tree;
  private final List<Item> items;
  private final List<Inline> inline;
  private final List<Remote> remotes;
  private final Map<Remote, UrlDownloader.Download> downloaded = new HashMap<>();
  private final String file;
  private final String keyword;
  private final SourceLocation at;
  private final AddOptions add;

  private CopyPlan(
      SourceTree tree,
      List<Item> items,
      List<Inline> inline,
      List<Remote> remotes,
      String file,
      String keyword,
      SourceLocation at,
      AddOptions add) {
    this.tree = tree;
    this.items = List.copyOf(items);
    this.inline = List.copyOf(inline);
    this.remotes = List.copyOf(remotes);
    this.file = file;
    this.keyword = keyword;
    this.at = at;
    this.add = add;
  }

  List<Item> items() {
    return items;
  }

  /**
   * Resolves the sources of a COPY/ADD against {@code tree}; errors at FILE:LINE:COL. {@code add}
   * is null for COPY.
   */
  static CopyPlan of(
      String file,
      String keyword,
      SourceLocation at,
      SourceTree tree,
      List<String> sources,
      List<Heredoc> heredocs,
      String destination,
      String workdir,
      boolean parents,
      List<String> excludes,
      AddOptions add)
      throws BuildException {
    String destAbs =
        normalise(destination.startsWith("/") ? destination : workdir + "/" + destination);
    DockerIgnore exclude = excludes.isEmpty() ? null : DockerIgnore.of(excludes);
    List<Item> items = new ArrayList<>();
    List<Inline> inline = new ArrayList<>();
    List<Remote> remotes = new ArrayList<>();
    boolean multiple = sources.size() + heredocs.size() > 1;
    boolean destIsDir = destination.endsWith("/") || destination.equals(".") || multiple || parents;
    try {
      for (String source : sources) {
        if (add != null && isRemote(source)) {
          URI url = url(file, at, source);
          remotes.add(
              new Remote(
                  url, source, destIsDir ? join(destAbs, fileName(file, at, url)) : destAbs));
          continue;
        }
        String cleaned = clean(source);
        if (cleaned == null) {
          throw error(
              file,
              at,
              StampException.Kind.BAD_INPUT,
              keyword + " " + source + ": the path leaves the build context");
        }
        List<String> matched = tree.match(cleaned);
        if (matched.isEmpty()) {
          throw error(
              file,
              at,
              StampException.Kind.NOT_FOUND,
              keyword
                  + " "
                  + source
                  + ": no such file or directory in the "
                  + (tree.isContext() ? "build context (or excluded by .dockerignore)" : "source"));
        }
        boolean dirTarget = destIsDir || matched.size() > 1 || SourceTree.hasWildcard(cleaned);
        String what = file + ":" + at.line() + ":" + at.column() + ": " + keyword + " " + source;
        for (String rel : matched) {
          tree.checkInside(rel, what);
          if (tree.isDirectory(rel)) {
            String base = parents ? join(destAbs, rel) : destAbs;
            for (String entry : tree.under(rel)) {
              String sub = rel.isEmpty() ? entry : entry.substring(rel.length() + 1);
              if (exclude != null && (exclude.isExcluded(sub) || exclude.isExcluded(entry))) {
                continue;
              }
              tree.checkInside(entry, what, false);
              items.add(new Item(entry, join(base, sub), false));
            }
          } else {
            if (exclude != null && exclude.isExcluded(rel)) {
              continue;
            }
            String name = parents ? rel : rel.substring(rel.lastIndexOf('/') + 1);
            if (add != null && isArchive(tree.path(rel))) {
              items.add(new Item(rel, destAbs, true));
            } else {
              items.add(new Item(rel, dirTarget ? join(destAbs, name) : destAbs, false));
            }
          }
        }
      }
      for (Heredoc doc : heredocs) {
        String dest = destIsDir ? join(destAbs, doc.name()) : destAbs;
        inline.add(new Inline(dest, doc.body()));
      }
    } catch (IOException e) {
      throw BuildException.failed(
          keyword + " at " + file + ":" + at.line() + ": " + e.getMessage(), e);
    }
    if (add != null && add.checksum().isPresent()) {
      checkChecksum(file, at, add.checksum().get());
    }
    return new CopyPlan(tree, items, inline, remotes, file, keyword, at, add);
  }

  /** A {@code --checksum} after expansion: a known algorithm and a digest of its length. */
  private static void checkChecksum(String file, SourceLocation at, String checksum)
      throws BuildException {
    int colon = checksum.indexOf(':');
    Integer length = colon < 0 ? null : CHECKSUM_HEX.get(checksum.substring(0, colon));
    if (length == null
        || checksum.length() - colon - 1 != length
        || !checksum.substring(colon + 1).matches("[0-9a-f]+")) {
      throw error(
          file,
          at,
          StampException.Kind.BAD_INPUT,
          "ADD --checksum="
              + checksum
              + ": want sha256:<64 hex>, sha384:<96 hex> or sha512:<128 hex>");
    }
  }

  /** The download's digest in the algorithm {@code checksum} names (sha256 is already known). */
  private String checksumOf(UrlDownloader.Download d, String checksum) throws BuildException {
    String algorithm = checksum.substring(0, checksum.indexOf(':'));
    if (algorithm.equals("sha256")) {
      return d.digest().toString();
    }
    try (InputStream in = Files.newInputStream(d.file())) {
      java.security.MessageDigest md =
          java.security.MessageDigest.getInstance(algorithm.replace("sha", "SHA-"));
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = in.read(buf)) >= 0) {
        md.update(buf, 0, n);
      }
      return algorithm + ":" + java.util.HexFormat.of().formatHex(md.digest());
    } catch (IOException | java.security.NoSuchAlgorithmException e) {
      throw BuildException.failed("ADD " + d.file() + ": hash the download: " + e.getMessage(), e);
    }
  }

  private static boolean isRemote(String source) {
    return source.contains("://") || source.startsWith("git@");
  }

  /** The http(s) URL of an ADD source; git and other schemes are refused at the instruction. */
  private static URI url(String file, SourceLocation at, String source) throws BuildException {
    if (AddInstruction.isGitRepository(source)) {
      throw error(
          file,
          at,
          StampException.Kind.BAD_INPUT,
          "ADD "
              + source
              + ": Git repository sources are not supported; clone the repository into the"
              + " build context and COPY it");
    }
    if (!AddInstruction.isUrl(source)) {
      throw error(
          file,
          at,
          StampException.Kind.BAD_INPUT,
          "ADD " + source + ": only http:// and https:// URLs are supported");
    }
    try {
      URI url = new URI(source);
      if (url.getHost() == null) {
        throw new URISyntaxException(source, "no host");
      }
      return url;
    } catch (URISyntaxException e) {
      throw error(
          file,
          at,
          StampException.Kind.BAD_INPUT,
          "ADD " + source + ": bad URL: " + e.getMessage());
    }
  }

  /** Docker's rule for ADD URL DIR/: the last segment of the URL's path. */
  static String fileName(String file, SourceLocation at, URI url) throws BuildException {
    String path = url.getRawPath() == null ? "" : url.getRawPath();
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    String name =
        URLDecoder.decode(
            path.substring(path.lastIndexOf('/') + 1).replace("+", "%2B"), StandardCharsets.UTF_8);
    if (name.isEmpty() || name.equals(".") || name.equals("..") || name.contains("/")) {
      throw error(
          file,
          at,
          StampException.Kind.BAD_INPUT,
          "ADD "
              + url
              + ": cannot determine a file name from the URL; give the destination a file name"
              + " (no trailing /)");
    }
    return name;
  }

  private static DockerfileSyntaxException error(
      String file, SourceLocation at, StampException.Kind kind, String detail) {
    return new DockerfileSyntaxException(kind, file, at.line(), at.column(), detail);
  }

  /** The normalised relative path, or null when it climbs out of the root. */
  static String clean(String source) {
    List<String> parts = new ArrayList<>();
    for (String seg : source.split("/")) {
      if (seg.isEmpty() || seg.equals(".")) {
        continue;
      }
      if (seg.equals("..")) {
        if (parts.isEmpty()) {
          return null;
        }
        parts.remove(parts.size() - 1);
      } else {
        parts.add(seg);
      }
    }
    return String.join("/", parts);
  }

  static String normalise(String abs) {
    String c = clean(abs);
    return "/" + (c == null ? "" : c);
  }

  private static String join(String dir, String rel) {
    if (rel.isEmpty()) {
      return dir;
    }
    return dir.endsWith("/") ? dir + rel : dir + "/" + rel;
  }

  private static boolean isArchive(Path p) throws IOException {
    byte[] header = new byte[ArchiveFormat.HEADER_BYTES];
    int n;
    try (InputStream in = Files.newInputStream(p)) {
      n = in.readNBytes(header, 0, header.length);
    }
    return ArchiveFormat.detect(java.util.Arrays.copyOf(header, n)) != ArchiveFormat.NOT_AN_ARCHIVE;
  }

  /** The cache input: every destination with its type, mode and content (never mtimes). */
  String keyMaterial() throws IOException, BuildException {
    List<String> parts = new ArrayList<>(items.size());
    try {
      items.parallelStream().map(this::describe).forEachOrdered(parts::add);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    StringBuilder sb = new StringBuilder();
    for (String part : parts) {
      sb.append(part).append('\n');
    }
    for (Inline doc : inline) {
      sb.append("inline ").append(doc.dest()).append(' ').append(doc.content()).append('\n');
    }
    for (Remote remote : remotes) {
      sb.append("url ").append(remote.dest()).append(' ').append(remoteKey(remote)).append('\n');
    }
    return sb.toString();
  }

  /**
   * A URL's cache input: the {@code --checksum} when given (nothing is fetched, so a hit never
   * contacts the server), else the digest of a fresh download (BuildKit's rule).
   */
  private String remoteKey(Remote remote) throws BuildException {
    if (add.checksum().isPresent()) {
      return add.checksum().get();
    }
    return download(remote).digest().toString();
  }

  private UrlDownloader.Download download(Remote remote) throws BuildException {
    UrlDownloader.Download d = downloaded.get(remote);
    if (d != null) {
      return d;
    }
    try {
      d = add.downloader().fetch(remote.url(), add.downloads());
    } catch (BuildException e) {
      throw BuildException.wrap(
          file + ":" + at.line() + ":" + at.column() + ": ADD " + remote.source(), e);
    }
    if (add.checksum().isPresent()) {
      String got = checksumOf(d, add.checksum().get());
      if (!add.checksum().get().equals(got)) {
        deleteQuietly(d.file());
        throw error(
            file,
            at,
            StampException.Kind.FAILED,
            "ADD "
                + remote.source()
                + ": checksum mismatch: expected "
                + add.checksum().get()
                + ", got "
                + got);
      }
    }
    downloaded.put(remote, d);
    return d;
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      // under the build's temp dir, removed with it
    }
  }

  private String describe(Item item) {
    try {
      Path p = tree.path(item.source());
      Map<String, Object> a =
          Files.readAttributes(p, SourceTree.ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
      int mode = (Integer) a.get("mode");
      int type = mode & 0170000;
      String kind;
      if (type == 0120000) {
        kind = "link " + Files.readSymbolicLink(p);
      } else if (type == 0040000) {
        kind = "dir";
      } else if (type == 0100000) {
        kind = "file " + tree.digest(item.source(), a);
      } else {
        kind = "other";
      }
      return item.dest()
          + (item.extract() ? " extract " : " ")
          + Integer.toOctalString(mode)
          + " "
          + kind;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Writes the files into {@code staging} (an empty dir) with owners, modes and mtime set. Nothing
   * is written through a symlink that leads out of {@code staging} (an ADDed tar may put one where
   * a later source of the same step lands): that is refused at the instruction.
   */
  void stage(Path staging, int uid, int gid, Integer chmod, long epoch) throws BuildException {
    FileTime time = FileTime.fromMillis(epoch * 1000);
    Map<Path, Path> files = new java.util.LinkedHashMap<>();
    try {
      Confinement inside = new Confinement(staging);
      for (Item item : items) {
        Path src = tree.path(item.source());
        Path dst = staging.resolve(item.dest().substring(1));
        inside.check(dst, item.dest());
        makeParents(staging, dst.getParent(), time);
        if (item.extract()) {
          extract(src, dst, staging, time);
          inside.forget(); // the archive may have put symlinks where directories were
          continue;
        }
        if (Files.isSymbolicLink(src)) {
          Files.deleteIfExists(dst);
          Files.createSymbolicLink(dst, Files.readSymbolicLink(src));
          inside.forget();
        } else if (Files.isDirectory(src, LinkOption.NOFOLLOW_LINKS)) {
          if (!Files.isDirectory(dst, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectory(dst);
          }
          setMode(dst, chmod != null ? chmod : mode(src));
        } else if (Files.isRegularFile(src, LinkOption.NOFOLLOW_LINKS)) {
          files.put(dst, src);
          continue;
        } else {
          continue; // sockets, fifos, devices: not copied
        }
        own(dst, uid, gid);
      }
      // every symlink of this step exists by now: check each file's directory once, then copy
      for (Path dst : files.keySet()) {
        inside.check(dst, "/" + staging.relativize(dst));
      }
      copyFiles(files, uid, gid, chmod);
      for (Remote remote : remotes) {
        Path dst = staging.resolve(remote.dest().substring(1));
        inside.check(dst, remote.dest());
        makeParents(staging, dst.getParent(), time);
        Files.copy(download(remote).file(), dst, StandardCopyOption.REPLACE_EXISTING);
        setMode(dst, chmod != null ? chmod : 0600);
        own(dst, uid, gid);
      }
      for (Inline doc : inline) {
        Path dst = staging.resolve(doc.dest().substring(1));
        inside.check(dst, doc.dest());
        makeParents(staging, dst.getParent(), time);
        if (!Files.isDirectory(dst, LinkOption.NOFOLLOW_LINKS)) {
          Files.deleteIfExists(dst); // never write through a symlink standing there
        }
        Files.writeString(dst, doc.content(), StandardCharsets.UTF_8);
        setMode(dst, chmod != null ? chmod : 0644);
        own(dst, uid, gid);
      }
      setTimes(staging, time);
    } catch (IOException e) {
      throw BuildException.failed("copy files: " + e.getMessage(), e);
    }
  }

  /**
   * Whether a destination's directory, as it exists now, resolves inside the staging dir; each
   * directory is resolved once.
   */
  private final class Confinement {
    private final Path root;
    private final Map<Path, Boolean> checked = new HashMap<>();

    Confinement(Path staging) throws IOException {
      this.root = staging.toRealPath();
    }

    void forget() {
      checked.clear();
    }

    void check(Path dst, String imagePath) throws BuildException, IOException {
      Path dir = dst.getParent();
      while (dir != null && !Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
        dir = dir.getParent();
      }
      if (dir == null) {
        return;
      }
      Boolean ok = checked.get(dir);
      if (ok == null) {
        ok = dir.toRealPath().startsWith(root);
        checked.put(dir, ok);
      }
      if (!ok) {
        throw error(
            file,
            at,
            StampException.Kind.BAD_INPUT,
            keyword
                + " "
                + imagePath
                + ": would be written through a symlink that leads out of the image"
                + " (an earlier source of this step put it there)");
      }
    }
  }

  /**
   * Copies the regular files (destination → source) on all cores: small files are syscall-bound.
   */
  private static void copyFiles(Map<Path, Path> files, int uid, int gid, Integer chmod)
      throws IOException {
    try {
      files.entrySet().parallelStream()
          .forEach(
              e -> {
                try {
                  Files.copy(e.getValue(), e.getKey(), StandardCopyOption.REPLACE_EXISTING);
                  setMode(e.getKey(), chmod != null ? chmod : mode(e.getValue()));
                  own(e.getKey(), uid, gid);
                } catch (IOException ex) {
                  throw new UncheckedIOException(ex);
                }
              });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private static void extract(Path tar, Path destDir, Path staging, FileTime time)
      throws IOException, BuildException {
    Files.createDirectories(destDir);
    Path temp = Files.createTempDirectory(staging.getParent(), "extract-");
    try (InputStream in = Files.newInputStream(tar)) {
      new LayerUnpacker()
          .unpack(in, temp, Digest.of(tar.getFileName().toString().getBytes()), null);
      mergeInto(temp, destDir);
    } catch (HostRuntimeException e) {
      throw BuildException.badInput("ADD " + tar.getFileName() + ": " + e.getMessage());
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

  private static void makeParents(Path staging, Path dir, FileTime time) throws IOException {
    if (dir == null || Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    makeParents(staging, dir.getParent(), time);
    Files.createDirectory(dir);
    setMode(dir, 0755);
  }

  private static int mode(Path p) throws IOException {
    return ((Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS)) & 07777;
  }

  private static void setMode(Path p, int mode) throws IOException {
    Files.setAttribute(p, "unix:mode", mode, LinkOption.NOFOLLOW_LINKS);
  }

  private static void own(Path p, int uid, int gid) throws IOException {
    Files.setAttribute(p, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(p, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
  }

  /** Sets every mtime under {@code dir} to {@code time}, so layers never depend on the host's. */
  private static void setTimes(Path dir, FileTime time) throws IOException {
    try (var walk = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        try {
          Files.getFileAttributeView(p, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
              .setTimes(time, null, null);
        } catch (IOException e) {
          // a symlink's time where lutimes is missing: LayerWriter clamps it anyway
        }
      }
    }
  }
}
