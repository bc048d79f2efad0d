package dev.stamp.builder.dockerfile;

/** {@code STOPSIGNAL signal}. */
public record StopsignalInstruction(String signal, SourceLocation location) implements Instruction {

  @Override
  public void cacheText(CacheText out) {
    out.field("signal", signal);
  }

  @Override
  public StopsignalInstruction expand(Expander e) throws ExpansionException {
    return new StopsignalInstruction(e.word(signal), location);
  }
}
