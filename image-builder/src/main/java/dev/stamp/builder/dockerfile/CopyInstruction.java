package dev.stamp.builder.dockerfile;

import java.util.List;
import java.util.Optional;

/**
 * {@code COPY [--from=stage|image] [--chown=u:g] [--chmod=mode] [--link] [--exclude=p]… [--parents]
 * src… dest}. Sources written as here-documents ({@code COPY <<EOF /dest}) are in {@code
 * inlineSources}; {@code from} is never expanded (BuildKit: use a stage alias instead).
 */
public record CopyInstruction(
    List<String> sources,
    List<Heredoc> inlineSources,
    String destination,
    Optional<String> from,
    Optional<String> chown,
    Optional<String> chmod,
    boolean link,
    List<String> excludes,
    boolean parents,
    SourceLocation location)
    implements Instruction {

  public CopyInstruction {
    sources = List.copyOf(sources);
    inlineSources = List.copyOf(inlineSources);
    excludes = List.copyOf(excludes);
  }

  @Override
  public void cacheText(CacheText out) {
    out.field("sources", sources)
        .heredocs("inline", inlineSources)
        .field("destination", destination)
        .field("from", from)
        .field("chown", chown)
        .field("chmod", chmod)
        .field("link", link)
        .field("excludes", excludes)
        .field("parents", parents);
  }

  @Override
  public String keyword() {
    return "COPY";
  }

  @Override
  public CopyInstruction expand(Expander e) throws ExpansionException {
    return new CopyInstruction(
        e.words(sources),
        AddInstruction.expandInline(inlineSources, e),
        e.word(destination),
        from,
        e.word(chown),
        e.word(chmod),
        link,
        e.words(excludes),
        parents,
        location);
  }
}
