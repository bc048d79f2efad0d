package dev.stamp.builder.dockerfile;

import java.util.Optional;

/**
 * {@code FROM [--platform=P] IMAGE [AS NAME]}: starts a stage. {@code image} may name an earlier
 * stage; the stage name is lower-cased as BuildKit does.
 */
public record FromInstruction(
    String image, Optional<String> stageName, Optional<String> platform, SourceLocation location)
    implements Instruction {

  @Override
  public void cacheText(CacheText out) {
    out.field("image", image).field("name", stageName).field("platform", platform);
  }
}
