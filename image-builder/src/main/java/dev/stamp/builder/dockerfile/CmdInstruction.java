package dev.stamp.builder.dockerfile;

/** {@code CMD}: the image's default command (or ENTRYPOINT's default arguments). */
public record CmdInstruction(ShellOrExec command, SourceLocation location) implements Instruction {

  @Override
  public void cacheText(CacheText out) {
    out.command("command", command);
  }
}
