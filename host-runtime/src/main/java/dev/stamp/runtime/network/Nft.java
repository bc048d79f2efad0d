package dev.stamp.runtime.network;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.linux.HelperProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Applies a generated ruleset with the {@code nft} command ({@code nft -f FILE}: one netlink batch,
 * committed atomically by the kernel, or rejected whole).
 *
 * <p>Why not netlink from Java: nf_tables speaks a batch protocol of nested attributes (tables,
 * chains, rules as expression lists, anonymous maps as set elements, generation ids) that libnftnl
 * and nft translate from the readable syntax. Rebuilding that over a raw netlink socket is a large
 * amount of version-sensitive code for the one thing the command already does atomically; the cost
 * of the command is a process start plus nft's cache refresh (see {@code bench/lb} for the measured
 * update latency), which is small beside a health-check interval or a deploy step. The file is kept
 * as a file under the root ({@code ROOT/lb/ruleset.nft} for the load balancer, {@code
 * ROOT/networks/localnet.nft} for the {@link LoopbackGuard}): what was last applied, for whoever
 * debugs.
 */
public final class Nft {

  private static final List<Path> CANDIDATES =
      List.of(Path.of("/usr/sbin/nft"), Path.of("/sbin/nft"), Path.of("/usr/bin/nft"));

  /** util-linux setpriv: nft dies with Stamp instead of committing behind a later cleanup. */
  private static final Path SETPRIV = Path.of("/usr/bin/setpriv");

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final Path file;

  /** Applies scripts through {@code file}, which keeps the last one applied. */
  public Nft(Path file) {
    this.file = file;
  }

  /** Runs {@code nft -f} on {@code script}; FAILED with nft's own message when it refuses. */
  public void apply(String action, String script) throws HostRuntimeException {
    Path nft = binary(action);
    // a temporary file of this call's own: threads of one process (parallel attaches each
    // applying the loopback guard) never move each other's script away or run each other's
    Path temp;
    try {
      Files.createDirectories(file.getParent());
      temp = Files.createTempFile(file.getParent(), file.getFileName() + ".", ".tmp");
      Files.writeString(temp, script, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw HostRuntimeException.failed(action + ": write " + file + ": " + e.getMessage(), e);
    }
    HostRuntimeException refused = null;
    try {
      run(action, nft.toString(), "-f", temp.toString());
    } catch (HostRuntimeException e) {
      refused = e;
    }
    try { // kept as the last script applied (or refused), for whoever debugs
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      if (refused == null) {
        throw HostRuntimeException.failed(action + ": write " + file + ": " + e.getMessage(), e);
      }
    }
    if (refused != null) {
      throw refused;
    }
  }

  /** {@code nft list table ip NAME}, or empty text when the table does not exist. */
  public static String listTable(String table) throws HostRuntimeException {
    String action = "list nftables table " + table;
    Result result = exec(action, binary(action).toString(), "list", "table", "ip", table);
    return result.exitCode() == 0 ? result.output() : "";
  }

  private static void run(String action, String... command) throws HostRuntimeException {
    Result result = exec(action, command);
    if (result.exitCode() != 0) {
      String message = result.output().strip().replaceAll("\\s+", " ");
      throw HostRuntimeException.failed(
          action + ": nft exit " + result.exitCode() + (message.isEmpty() ? "" : ": " + message));
    }
  }

  private record Result(int exitCode, String output) {}

  private static Result exec(String action, String... command) throws HostRuntimeException {
    List<String> argv = new ArrayList<>();
    if (Files.isExecutable(SETPRIV)) {
      argv.addAll(List.of(SETPRIV.toString(), "--pdeathsig", "KILL", "--"));
    }
    argv.addAll(List.of(command));
    // stdout and stderr as one text, nft's message either way
    HelperProcess.Result run =
        HelperProcess.run(
            argv,
            List.of("PATH=/usr/sbin:/usr/bin:/sbin:/bin"),
            new byte[0],
            TIMEOUT,
            action + ": run nft");
    String output =
        new String(run.stdout(), StandardCharsets.UTF_8)
            + new String(run.stderr(), StandardCharsets.UTF_8);
    return new Result(run.exitCode(), output);
  }

  private static Path binary(String action) throws HostRuntimeException {
    for (Path candidate : CANDIDATES) {
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    throw HostRuntimeException.failed(
        action + ": the nft command is missing (install Debian's nftables: bin/setup)");
  }
}
