package dev.stamp.builder.dockerfile;

/** {@code MAINTAINER} (deprecated): the image author. */
public record MaintainerInstruction(String maintainer, SourceLocation location)
    implements Instruction {

  @Override
  public void cacheText(CacheText out) {
    out.field("maintainer", maintainer);
  }
}
