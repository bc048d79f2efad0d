package dev.stamp.builder.dockerfile;

import java.util.List;

/** {@code EXPOSE port[/proto]…}. */
public record ExposeInstruction(List<String> ports, SourceLocation location)
    implements Instruction {

  public ExposeInstruction {
    ports = List.copyOf(ports);
  }

  @Override
  public void cacheText(CacheText out) {
    out.field("ports", ports);
  }

  @Override
  public ExposeInstruction expand(Expander e) throws ExpansionException {
    return new ExposeInstruction(e.words(ports), location);
  }
}
