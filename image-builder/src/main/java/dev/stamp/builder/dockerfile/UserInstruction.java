package dev.stamp.builder.dockerfile;

/** {@code USER user[:group]}. */
public record UserInstruction(String user, SourceLocation location) implements Instruction {

  @Override
  public void cacheText(CacheText out) {
    out.field("user", user);
  }

  @Override
  public UserInstruction expand(Expander e) throws ExpansionException {
    return new UserInstruction(e.word(user), location);
  }
}
