package dev.stamp.cli;

import dev.stamp.testkit.HostCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import picocli.CommandLine;

/**
 * The {@code stamp} CLI in this JVM (what {@link dev.stamp.testkit.StampCliProcess} runs as its own
 * process): a fresh command line per call with its own stdout and stderr, against one state root
 * ({@code --root ROOT} first) or none. The result is the same {@link HostCommand.Result} as the
 * subprocess's, so a test can move between the two.
 */
final class StampCliInProcess {

  private final Supplier<Path> root;
  private HostCommand.Result last = new HostCommand.Result(-1, "", "");

  /**
   * Runs against the root {@code root} gives at each call (a field a test sets up later); null: no
   * {@code --root} (the caller passes one or needs none).
   */
  StampCliInProcess(Supplier<Path> root) {
    this.root = root;
  }

  StampCliInProcess(Path root) {
    this(() -> root);
  }

  /** Runs {@code stamp [--root ROOT] ARGS…} to its end. */
  HostCommand.Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = StampCli.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    List<String> all = new ArrayList<>();
    Path dir = root.get();
    if (dir != null) {
      all.add("--root");
      all.add(dir.toString());
    }
    all.addAll(List.of(args));
    int code = cli.execute(all.toArray(String[]::new));
    last = new HostCommand.Result(code, out.toString(), err.toString());
    return last;
  }

  /** Runs {@code stamp ARGS…}; its exit code (its output: {@link #out()}, {@link #err()}). */
  int code(String... args) {
    return run(args).code();
  }

  /** What the last command printed on stdout. */
  String out() {
    return last.out();
  }

  /** What the last command printed on stderr. */
  String err() {
    return last.err();
  }
}
