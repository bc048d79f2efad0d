package dev.stamp.builder.dockerfile;

/** {@code WORKDIR path} (relative paths are relative to the previous WORKDIR). */
public record WorkdirInstruction(String path, SourceLocation location) implements Instruction {

  @Override
  public void cacheText(CacheText out) {
    out.field("path", path);
  }

  @Override
  public WorkdirInstruction expand(Expander e) throws ExpansionException {
    return new WorkdirInstruction(e.word(path), location);
  }
}
