package dev.stamp.cli;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.registry.Registries;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * A {@code stamp} subcommand: the top-level options ({@link StampCli#root()}, {@link
 * StampCli#debug()}) and the streams picocli gives it (a test's writers when run in-process), with
 * the one way a command ends once it has printed ({@link #exit}).
 */
abstract class StampCommand implements Callable<Integer> {

  @ParentCommand StampCli stamp;

  @Spec CommandSpec spec;

  /** Standard output as picocli holds it. */
  final PrintWriter out() {
    return spec.commandLine().getOut();
  }

  /** Standard error as picocli holds it. */
  final PrintWriter err() {
    return spec.commandLine().getErr();
  }

  /** Flushes both streams and returns {@code exitCode}. */
  final int exit(int exitCode) {
    out().flush();
    err().flush();
    return exitCode;
  }

  /** The registries of this state root (mirrors, credentials); requests logged with --debug. */
  final Registries registries() throws HostRuntimeException {
    return Registries.open(stamp.root(), stamp.env()).logRequests(stamp.debug());
  }

  /** Prints {@code rows} (the first one the header) as a {@link Table}; exit code 0. */
  final int table(List<List<String>> rows) {
    Table.print(out(), rows);
    return exit(StampCli.EXIT_OK);
  }
}
