package dev.stamp.builder.dockerfile;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What COPY and ADD both take: the sources (paths, and here-documents in {@code inlineSources}),
 * the destination, and the flags {@code --chown}, {@code --chmod}, {@code --link} and {@code
 * --exclude}. Each instruction adds its own flags ({@link CopyInstruction}, {@link
 * AddInstruction}).
 */
public record CopyArgs(
    List<String> sources,
    List<Heredoc> inlineSources,
    String destination,
    Optional<String> chown,
    Optional<String> chmod,
    boolean link,
    List<String> excludes) {

  public CopyArgs {
    sources = List.copyOf(sources);
    inlineSources = List.copyOf(inlineSources);
    excludes = List.copyOf(excludes);
  }

  /** The flags both instructions accept, to which each adds its own. */
  static Flags flags() {
    return new Flags().string("chown").string("chmod").bool("link").strings("exclude");
  }

  /** Sources and destination, the fields that come first in both instructions' cache text. */
  void pathsText(CacheText out) {
    out.field("sources", sources)
        .heredocs("inline", inlineSources)
        .field("destination", destination);
  }

  /** The shared flags, in the cache text after the instruction's own {@code from} (COPY). */
  void flagsText(CacheText out) {
    out.field("chown", chown).field("chmod", chmod).field("link", link).field("excludes", excludes);
  }

  /**
   * Sources, destination, owner, mode and excludes with variables substituted; here-documents
   * chomped, then expanded unless the delimiter was quoted.
   */
  CopyArgs expand(Expander e) throws ExpansionException {
    List<Heredoc> inline = new ArrayList<>(inlineSources.size());
    for (Heredoc d : inlineSources) {
      String body = d.expand() ? e.heredoc(d.body()) : d.body();
      inline.add(new Heredoc(d.name(), body, false, false, d.fileDescriptor()));
    }
    return new CopyArgs(
        e.words(sources),
        inline,
        e.word(destination),
        e.word(chown),
        e.word(chmod),
        link,
        e.words(excludes));
  }
}
