package dev.stamp.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * The training run behind the CLI's AppCDS archive: the {@code ./stamp} launcher runs it in the
 * background with {@code -XX:DumpLoadedClassList} after the jar changed, then dumps a static
 * archive of what it loaded ({@code -Xshare:dump}), so that later commands map those classes
 * instead of reading, parsing and verifying them. It has no side effects: it builds and parses the
 * command line of the common commands, renders help, sets up logging and maps JSON. Given a file
 * name, it also writes {@code cds.classlist} there, the class list of real commands ({@code run
 * --rm}, {@code pull}, {@code ps} and more: {@code bin/cds-classes} makes it), which the launcher
 * adds to its own list: with the lambdas and method-handle forms those commands link, which the
 * archive then holds ready-made instead of every command generating them again.
 */
public final class CdsTraining {

  private CdsTraining() {}

  public static void main(String[] args) throws Exception {
    // as StampCli.main for short commands
    System.setProperty("jnr.ffi.asm.enabled", "false");
    System.setProperty("slf4j.provider", StderrLogging.class.getName());
    System.setProperty("slf4j.internal.verbosity", "WARN");
    StringWriter sink = new StringWriter();
    PrintWriter out = new PrintWriter(sink);
    for (List<String> command :
        List.of(
            List.of("--version"),
            List.of("--root", "/nonexistent", "run", "--rm", "--network", "none", "img", "true"),
            List.of(
                "run", "-d", "--name", "x", "-p", "8080:80", "-e", "A=b", "img", "sh", "-c", "x"),
            List.of("ps", "-a"),
            List.of("images"),
            List.of("rm", "-f", "x"),
            List.of("stop", "x"),
            List.of("logs", "x"))) {
      String[] argv = command.toArray(String[]::new);
      CommandLine cli = StampCli.commandLine(argv);
      cli.setOut(out);
      cli.setErr(out);
      try {
        cli.parseArgs(argv);
      } catch (CommandLine.ParameterException e) {
        // a flag renamed since the list was written: the classes are loaded all the same
      }
    }
    CommandLine all = StampCli.commandLine();
    all.setOut(out);
    all.setErr(out);
    all.execute("--version");
    all.usage(out);
    all.getSubcommands().get("run").usage(out);
    all.execute("no-such-command");
    LoggerFactory.getLogger(CdsTraining.class).isDebugEnabled();
    ObjectMapper json = new ObjectMapper();
    json.readTree(json.writeValueAsBytes(Map.of("id", "x", "n", List.of(1, 2))));
    if (args.length == 1) {
      try (InputStream in = CdsTraining.class.getResourceAsStream("cds.classlist")) {
        if (in != null) {
          Files.copy(in, Path.of(args[0]), StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }
}
