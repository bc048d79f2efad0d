package dev.stamp.builder.dockerfile;

import java.util.Optional;

/**
 * {@code COPY [--from=stage|image] [--chown=u:g] [--chmod=mode] [--link] [--exclude=p]… [--parents]
 * src… dest}. Sources written as here-documents ({@code COPY <<EOF /dest}) are in {@code
 * args.inlineSources()}; {@code from} is never expanded (BuildKit: use a stage alias instead).
 */
public record CopyInstruction(
    CopyArgs args, Optional<String> from, boolean parents, SourceLocation location)
    implements Instruction {

  @Override
  public void cacheText(CacheText out) {
    args.pathsText(out);
    out.field("from", from);
    args.flagsText(out);
    out.field("parents", parents);
  }

  @Override
  public CopyInstruction expand(Expander e) throws ExpansionException {
    return new CopyInstruction(args.expand(e), from, parents, location);
  }
}
