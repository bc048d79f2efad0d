package dev.stamp.testkit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code stamp} CLI as its own {@code java} process on the test's class path, against one state
 * root: what a user runs, exit code and streams included. The main class is named, not linked, so
 * the test kit depends on no Stamp module.
 */
public final class StampCliProcess {

  public static final String MAIN = "dev.stamp.cli.StampCli";

  private final Path root;
  private Duration timeout = Duration.ofSeconds(120);

  public StampCliProcess(Path root) {
    this.root = root;
  }

  public StampCliProcess timeout(Duration value) {
    this.timeout = value;
    return this;
  }

  /** The command line that runs {@code stamp --root ROOT ARGS…} in a fresh JVM. */
  public List<String> command(String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(MAIN);
    cmd.add("--root");
    cmd.add(root.toString());
    cmd.addAll(List.of(args));
    return cmd;
  }

  /** Runs {@code stamp ARGS…} to its end. */
  public HostCommand.Result run(String... args) {
    return HostCommand.run(timeout, null, command(args));
  }

  /** Runs {@code stamp ARGS…} with {@code input} on its stdin. */
  public HostCommand.Result runWithInput(String input, String... args) {
    return HostCommand.run(timeout, input, command(args));
  }

  /** Starts {@code stamp ARGS…} and returns at once (a daemon such as {@code stamp agent}). */
  public Process start(Path log, String... args) {
    try {
      return new ProcessBuilder(command(args))
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
          .start();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("start stamp " + String.join(" ", args), e);
    }
  }
}
