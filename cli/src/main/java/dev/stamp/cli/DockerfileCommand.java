package dev.stamp.cli;

import dev.stamp.builder.BuildException;
import dev.stamp.builder.dockerfile.BuildProblem;
import dev.stamp.builder.dockerfile.Dockerfile;
import dev.stamp.builder.dockerfile.DockerfileJson;
import dev.stamp.builder.dockerfile.DockerfileSyntaxException;
import dev.stamp.builder.dockerfile.Node;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code stamp dockerfile}: Dockerfile tools. */
@Command(
    name = "dockerfile",
    description = "Dockerfile tools.",
    subcommands = {DockerfileCommand.Parse.class})
public final class DockerfileCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "Missing required subcommand (parse)");
  }

  /**
   * {@code stamp dockerfile parse [--json] FILE}: parses a Dockerfile and prints its syntax tree. A
   * syntax error prints {@code FILE:LINE:COL: message} and exits 2. What a build would refuse in a
   * syntactically valid file (unknown flags, instructions before the first FROM…) is printed as a
   * warning with its place, as {@code stamp lint} reports it; the exit code stays 0.
   */
  @Command(
      name = "parse",
      description = {
        "Parse a Dockerfile; print one entry per instruction.",
        "A syntax error prints FILE:LINE:COL: message and exits 2; what a build would refuse",
        "is printed as a warning (stamp build fails on it, stamp lint reports it)."
      })
  static final class Parse implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(
        names = "--json",
        description =
            "Print a JSON array: instruction, flags, args, line, endLine (onbuild, heredocs).")
    boolean json;

    @Parameters(paramLabel = "FILE", description = "The Dockerfile.")
    Path file;

    @Override
    public Integer call() throws BuildException {
      String content = read(file);
      Dockerfile dockerfile;
      try {
        dockerfile = Dockerfile.parse(file.toString(), content);
      } catch (DockerfileSyntaxException e) {
        spec.commandLine().getErr().println(e.getMessage());
        return e.kind().exitCode();
      }
      PrintWriter out = spec.commandLine().getOut();
      for (String warning : dockerfile.warnings()) {
        spec.commandLine().getErr().println("warning: " + warning);
      }
      for (BuildProblem problem : dockerfile.check().problems()) {
        spec.commandLine()
            .getErr()
            .println("warning: " + problem.message() + " (a build refuses this)");
      }
      out.print(json ? DockerfileJson.render(dockerfile) : text(dockerfile));
      out.flush();
      return StampCli.EXIT_OK;
    }

    private static String text(Dockerfile dockerfile) {
      StringBuilder sb = new StringBuilder();
      for (Node node : dockerfile.nodes()) {
        appendNode(sb, node, "");
      }
      return sb.toString();
    }

    private static void appendNode(StringBuilder sb, Node node, String indent) {
      sb.append(indent).append(node.location().line()).append(": ").append(node.instruction());
      node.flags().forEach(f -> sb.append(' ').append(f));
      node.args().forEach(a -> sb.append(" \"").append(a.replace("\"", "\\\"")).append('"'));
      sb.append('\n');
      node.onbuild().ifPresent(child -> appendNode(sb, child, indent + "  "));
    }

    private static String read(Path file) throws BuildException {
      try {
        return Files.readString(file, StandardCharsets.UTF_8);
      } catch (NoSuchFileException e) {
        throw BuildException.notFound("read Dockerfile " + file + ": no such file");
      } catch (IOException e) {
        throw BuildException.badInput("read Dockerfile " + file + ": " + e.getMessage());
      }
    }
  }
}
