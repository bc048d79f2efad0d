package dev.stamp.builder.engine;

import dev.stamp.builder.BuildException;
import dev.stamp.builder.context.ArchiveFormat;
import dev.stamp.builder.context.DockerIgnore;
import dev.stamp.builder.dockerfile.AddInstruction;
import dev.stamp.builder.dockerfile.DockerfileSyntaxException;
import dev.stamp.builder.dockerfile.Heredoc;
import dev.stamp.builder.dockerfile.SourceLocation;
import dev.stamp.runtime.StampException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one COPY or ADD puts where: each source entry with its destination path in the image, the
 * inline (here-document) files, the tar archives ADD extracts and the URLs ADD downloads (never
 * extracted, mode 0600 unless --chmod, mtime SOURCE_DATE_EPOCH like every copied file). {@link
 * #keyMaterial} is the step's exact input for the cache (destinations, types, modes, content
 * digests, link targets, a URL's --checksum or downloaded digest; never mtimes; read through {@link
 * SourceEntry}); {@link #stage} writes the files into an empty directory that becomes the layer.
 * This class resolves; its parts download ({@link CopyDownloads}), extract ({@link
 * ArchiveExtraction}) and stage ({@link CopyStaging}).
 */
record CopyPlan(
    SourceTree tree,
    List<CopyPlan.Item> items,
    List<CopyPlan.Inline> inline,
    List<CopyPlan.Remote> remotes,
    CopyDownloads downloads,
    String file,
    String keyword,
    SourceLocation at) {

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

  /** {@code downloads} is null for a COPY (only ADD downloads). */
  CopyPlan {
    items = List.copyOf(items);
    inline = List.copyOf(inline);
    remotes = List.copyOf(remotes);
  }

  /**
   * Writes the files into {@code staging} (an empty dir), destinations resolved inside the image
   * whose layers are {@code lowerDirs} (lowest first): {@link CopyStaging#stage}.
   */
  void stage(Path staging, List<Path> lowerDirs, int uid, int gid, Integer chmod, long epoch)
      throws BuildException {
    CopyStaging.stage(this, staging, lowerDirs, uid, gid, chmod, epoch);
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
              keyword
                  + " "
                  + source
                  + (tree.isContext()
                      ? ": the path leaves the build context"
                      : ": the path climbs out of the source's root filesystem"));
        }
        String what = file + ":" + at.line() + ":" + at.column() + ": " + keyword + " " + source;
        List<String> matched = tree.match(tree.resolve(cleaned, what));
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
    return new CopyPlan(
        tree,
        items,
        inline,
        remotes,
        add == null ? null : new CopyDownloads(add, file, at),
        file,
        keyword,
        at);
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

  static DockerfileSyntaxException error(
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
      sb.append("url ")
          .append(remote.dest())
          .append(' ')
          .append(downloads.key(remote))
          .append('\n');
    }
    return sb.toString();
  }

  private String describe(Item item) {
    try {
      SourceEntry e = SourceEntry.read(tree, item.source());
      String kind =
          switch (e.type()) {
            case SourceEntry.LINK -> "link " + e.linkTarget();
            case SourceEntry.DIR -> "dir";
            case SourceEntry.FILE -> "file " + e.digest();
            default -> "other";
          };
      return item.dest()
          + (item.extract() ? " extract " : " ")
          + Integer.toOctalString(e.mode())
          + " "
          + kind;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
