package dev.stamp.builder.engine;

import dev.stamp.builder.dockerfile.AddInstruction;
import dev.stamp.builder.dockerfile.ArgInstruction;
import dev.stamp.builder.dockerfile.CmdInstruction;
import dev.stamp.builder.dockerfile.CopyArgs;
import dev.stamp.builder.dockerfile.CopyInstruction;
import dev.stamp.builder.dockerfile.EntrypointInstruction;
import dev.stamp.builder.dockerfile.EnvInstruction;
import dev.stamp.builder.dockerfile.ExposeInstruction;
import dev.stamp.builder.dockerfile.HealthcheckInstruction;
import dev.stamp.builder.dockerfile.Heredoc;
import dev.stamp.builder.dockerfile.Instruction;
import dev.stamp.builder.dockerfile.KeyValue;
import dev.stamp.builder.dockerfile.LabelInstruction;
import dev.stamp.builder.dockerfile.MaintainerInstruction;
import dev.stamp.builder.dockerfile.OnbuildInstruction;
import dev.stamp.builder.dockerfile.RunInstruction;
import dev.stamp.builder.dockerfile.ShellInstruction;
import dev.stamp.builder.dockerfile.ShellOrExec;
import dev.stamp.builder.dockerfile.StopsignalInstruction;
import dev.stamp.builder.dockerfile.UserInstruction;
import dev.stamp.builder.dockerfile.VolumeInstruction;
import dev.stamp.builder.dockerfile.WorkdirInstruction;
import java.util.ArrayList;
import java.util.List;

/** An instruction as progress lines and history entries show it ({@code RUN make}). */
final class Describe {

  private Describe() {}

  static String of(Instruction in) {
    if (in instanceof RunInstruction run) {
      String cmd =
          run.command().exec()
              ? json(run.command().args())
              : String.join(" ", run.command().args());
      for (Heredoc doc : run.heredocs()) {
        cmd = cmd + " (heredoc " + doc.name() + ")";
      }
      return "RUN " + cmd;
    }
    if (in instanceof CopyInstruction copy) {
      List<String> words = new ArrayList<>();
      copy.from().ifPresent(f -> words.add("--from=" + f));
      copy.args().chown().ifPresent(f -> words.add("--chown=" + f));
      copy.args().chmod().ifPresent(f -> words.add("--chmod=" + f));
      return "COPY " + paths(words, copy.args());
    }
    if (in instanceof AddInstruction add) {
      return "ADD " + paths(new ArrayList<>(), add.args());
    }
    if (in instanceof WorkdirInstruction wd) {
      return "WORKDIR " + wd.path();
    }
    return in.keyword() + " " + metadata(in);
  }

  /** {@code words}, then the sources (here-documents as {@code <<NAME}) and the destination. */
  private static String paths(List<String> words, CopyArgs args) {
    words.addAll(args.sources());
    args.inlineSources().forEach(d -> words.add("<<" + d.name()));
    words.add(args.destination());
    return String.join(" ", words);
  }

  private static String metadata(Instruction in) {
    if (in instanceof EnvInstruction env) {
      return pairs(env.variables());
    }
    if (in instanceof LabelInstruction label) {
      return pairs(label.labels());
    }
    if (in instanceof CmdInstruction cmd) {
      return command(cmd.command());
    }
    if (in instanceof EntrypointInstruction ep) {
      return command(ep.command());
    }
    if (in instanceof UserInstruction user) {
      return user.user();
    }
    if (in instanceof ExposeInstruction expose) {
      return String.join(" ", expose.ports());
    }
    if (in instanceof VolumeInstruction volume) {
      return String.join(" ", volume.paths());
    }
    if (in instanceof StopsignalInstruction sig) {
      return sig.signal();
    }
    if (in instanceof HealthcheckInstruction hc) {
      return json(hc.test());
    }
    if (in instanceof ShellInstruction sh) {
      return json(sh.shell());
    }
    if (in instanceof OnbuildInstruction ob) {
      return ob.expression();
    }
    if (in instanceof ArgInstruction arg) {
      List<String> names = new ArrayList<>();
      arg.args().forEach(a -> names.add(a.name()));
      return String.join(" ", names);
    }
    if (in instanceof MaintainerInstruction m) {
      return m.maintainer();
    }
    return "";
  }

  private static String pairs(List<KeyValue> pairs) {
    List<String> out = new ArrayList<>();
    for (KeyValue kv : pairs) {
      out.add(kv.key() + "=" + kv.value());
    }
    return String.join(" ", out);
  }

  private static String command(ShellOrExec c) {
    return c.exec() ? json(c.args()) : String.join(" ", c.args());
  }

  static String json(List<String> args) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < args.size(); i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append('"').append(args.get(i).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
    }
    return sb.append(']').toString();
  }
}
