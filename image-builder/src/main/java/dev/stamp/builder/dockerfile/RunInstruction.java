package dev.stamp.builder.dockerfile;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code RUN [--mount=…]… [--network=default|none|host] [--security=sandbox|insecure] command}.
 * Here-documents are kept for the engine: {@code RUN <<EOF} runs the body as a script.
 */
public record RunInstruction(
    ShellOrExec command,
    List<RunMount> mounts,
    String network,
    String security,
    List<Heredoc> heredocs,
    SourceLocation location)
    implements Instruction {

  public RunInstruction {
    mounts = List.copyOf(mounts);
    heredocs = List.copyOf(heredocs);
  }

  @Override
  public void cacheText(CacheText out) {
    out.command("command", command)
        .mounts("mounts", mounts)
        .field("network", network)
        .field("security", security)
        .heredocs("heredocs", heredocs);
  }

  /** Mount options are expanded (RUN's command is not: the shell does that). */
  @Override
  public RunInstruction expand(Expander e) throws ExpansionException {
    List<RunMount> expanded = new ArrayList<>(mounts.size());
    for (RunMount m : mounts) {
      expanded.add(m.expand(e));
    }
    return new RunInstruction(command, expanded, network, security, heredocs, location);
  }
}
