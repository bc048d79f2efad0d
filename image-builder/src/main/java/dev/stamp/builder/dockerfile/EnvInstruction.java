package dev.stamp.builder.dockerfile;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code ENV key=value…}: environment for later instructions and the image. Every value in one ENV
 * is expanded against the environment as it was before the instruction.
 */
public record EnvInstruction(List<KeyValue> variables, SourceLocation location)
    implements Instruction {

  public EnvInstruction {
    variables = List.copyOf(variables);
  }

  @Override
  public void cacheText(CacheText out) {
    out.pairs("variables", variables);
  }

  @Override
  public EnvInstruction expand(Expander e) throws ExpansionException {
    return new EnvInstruction(expandPairs(variables, e), location);
  }

  static List<KeyValue> expandPairs(List<KeyValue> pairs, Expander e) throws ExpansionException {
    List<KeyValue> out = new ArrayList<>(pairs.size());
    for (KeyValue kv : pairs) {
      out.add(new KeyValue(e.word(kv.key()), e.word(kv.value())));
    }
    return out;
  }
}
