package dev.stamp.builder.dockerfile;

/** {@code ENTRYPOINT}: the image's entrypoint; an empty exec array clears it. */
public record EntrypointInstruction(ShellOrExec command, SourceLocation location)
    implements Instruction {

  @Override
  public void cacheText(CacheText out) {
    out.command("command", command);
  }
}
