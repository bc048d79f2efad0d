package dev.stamp.builder.dockerfile;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code ADD [--chown] [--chmod] [--link] [--exclude]… [--checksum=sha256:…] [--keep-git-dir] src…
 * dest}: like COPY, plus URLs (downloaded, verified against {@code --checksum} when given), Git
 * repositories, and local tar archives (extracted; the format is recognised by content).
 */
public record AddInstruction(
    List<String> sources,
    List<Heredoc> inlineSources,
    String destination,
    Optional<String> chown,
    Optional<String> chmod,
    boolean link,
    List<String> excludes,
    Optional<String> checksum,
    boolean keepGitDir,
    SourceLocation location)
    implements Instruction {

  public AddInstruction {
    sources = List.copyOf(sources);
    inlineSources = List.copyOf(inlineSources);
    excludes = List.copyOf(excludes);
  }

  @Override
  public void cacheText(CacheText out) {
    out.field("sources", sources)
        .heredocs("inline", inlineSources)
        .field("destination", destination)
        .field("chown", chown)
        .field("chmod", chmod)
        .field("link", link)
        .field("excludes", excludes)
        .field("checksum", checksum)
        .field("keep-git-dir", keepGitDir);
  }

  @Override
  public String keyword() {
    return "ADD";
  }

  /** An http(s) URL source: downloaded, never extracted. */
  public static boolean isUrl(String source) {
    String s = source.toLowerCase(Locale.ROOT);
    return s.startsWith("http://") || s.startsWith("https://");
  }

  /** A Git repository source ({@code git@…}, {@code git://…}, {@code https://….git…}). */
  public static boolean isGitRepository(String source) {
    String s = source.toLowerCase(Locale.ROOT);
    if (s.startsWith("git@") || s.startsWith("git://") || s.startsWith("ssh://")) {
      return true;
    }
    if (isUrl(s)) {
      String path = s.replaceFirst("[?#].*$", "");
      return path.endsWith(".git");
    }
    return false;
  }

  @Override
  public AddInstruction expand(Expander e) throws ExpansionException {
    return new AddInstruction(
        e.words(sources),
        expandInline(inlineSources, e),
        e.word(destination),
        e.word(chown),
        e.word(chmod),
        link,
        e.words(excludes),
        e.word(checksum),
        keepGitDir,
        location);
  }

  /** Here-document sources: chomped, then expanded unless the delimiter was quoted. */
  static List<Heredoc> expandInline(List<Heredoc> docs, Expander e) throws ExpansionException {
    List<Heredoc> out = new ArrayList<>(docs.size());
    for (Heredoc d : docs) {
      String body = d.expand() ? e.heredoc(d.body()) : d.body();
      out.add(new Heredoc(d.name(), body, false, false, d.fileDescriptor()));
    }
    return out;
  }
}
