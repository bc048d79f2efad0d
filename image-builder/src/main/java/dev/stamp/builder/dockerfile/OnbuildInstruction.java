package dev.stamp.builder.dockerfile;

/**
 * {@code ONBUILD INSTRUCTION}: a trigger run when the image is used as a base. {@code expression}
 * is the trigger's text as stored in the image config (heredoc bodies appended, as BuildKit does).
 */
public record OnbuildInstruction(Instruction trigger, String expression, SourceLocation location)
    implements Instruction {

  @Override
  public void cacheText(CacheText out) {
    out.field("expression", expression);
  }
}
