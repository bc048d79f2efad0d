package dev.stamp.builder.dockerfile;

import java.util.List;

/** {@code LABEL key=value…}. */
public record LabelInstruction(List<KeyValue> labels, SourceLocation location)
    implements Instruction {

  public LabelInstruction {
    labels = List.copyOf(labels);
  }

  @Override
  public void cacheText(CacheText out) {
    out.pairs("labels", labels);
  }

  @Override
  public LabelInstruction expand(Expander e) throws ExpansionException {
    return new LabelInstruction(EnvInstruction.expandPairs(labels, e), location);
  }
}
