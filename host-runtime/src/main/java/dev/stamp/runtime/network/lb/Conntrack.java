package dev.stamp.runtime.network.lb;

import dev.stamp.runtime.HostRuntimeException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The host's connection tracking table, read from {@code /proc/net/nf_conntrack} when the kernel
 * offers it, else from {@code conntrack -L -o extended} (Debian's {@code conntrack} package). Both
 * print one flow per line in the same format: {@code ipv4 2 tcp 6 431999 ESTABLISHED src=… dst=…
 * sport=… dport=… src=… dst=… sport=… dport=… [ASSURED] …}, the original tuple first, then the
 * reply tuple (whose source is the real server after a DNAT).
 */
abstract class Conntrack {

  static final Path PROC = Path.of("/proc/net/nf_conntrack");
  static final List<Path> TOOL =
      List.of(Path.of("/usr/sbin/conntrack"), Path.of("/sbin/conntrack"));

  /** TCP states in which a flow carries no more data (kept only to absorb late packets). */
  private static final Set<String> CLOSED_TCP_STATES = Set.of("TIME_WAIT", "CLOSE");

  /** One direction of a flow. */
  record Tuple(String src, String dst, int sport, int dport) {}

  /** One tracked flow; {@code state} is empty for protocols without one (UDP). */
  record Flow(String protocol, String state, Tuple original, Tuple reply) {

    /** Whether the flow may still carry data: every flow but a closed TCP one. */
    boolean live() {
      return !("tcp".equals(protocol) && CLOSED_TCP_STATES.contains(state));
    }
  }

  /** How many flows match {@code filter}. */
  abstract long count(Predicate<Flow> filter) throws HostRuntimeException;

  /**
   * As {@link #count(Predicate)}, parsing only the lines that contain {@code mention} and are not
   * in TIME_WAIT (a host under load tracks tens of thousands of flows, most of them closed and
   * never live; the text test is cheap).
   */
  long count(String mention, Predicate<Flow> filter) throws HostRuntimeException {
    return count(filter);
  }

  /** The kernel's table, from /proc if present, else the conntrack command. */
  static Conntrack system() throws HostRuntimeException {
    if (Files.isReadable(PROC)) {
      return proc();
    }
    if (TOOL.stream().anyMatch(Files::isExecutable)) {
      return tool();
    }
    throw HostRuntimeException.failed(
        "read connection tracking: neither "
            + PROC
            + " nor the conntrack command (Debian package conntrack: bin/setup) is available");
  }

  static Conntrack proc() {
    return new Conntrack() {
      @Override
      long count(Predicate<Flow> filter) throws HostRuntimeException {
        return count("", filter);
      }

      @Override
      long count(String mention, Predicate<Flow> filter) throws HostRuntimeException {
        try (Stream<String> lines = Files.lines(PROC, StandardCharsets.US_ASCII)) {
          return lines
              .filter(l -> l.contains(mention) && !l.contains(" TIME_WAIT "))
              .map(Conntrack::parse)
              .flatMap(Optional::stream)
              .filter(filter)
              .count();
        } catch (IOException | UncheckedIOException e) {
          throw HostRuntimeException.failed("read " + PROC + ": " + e.getMessage(), e);
        }
      }
    };
  }

  static Conntrack tool() {
    return new Conntrack() {
      @Override
      long count(Predicate<Flow> filter) throws HostRuntimeException {
        return listWithTool().stream()
            .map(Conntrack::parse)
            .flatMap(Optional::stream)
            .filter(filter)
            .count();
      }
    };
  }

  private static List<String> listWithTool() throws HostRuntimeException {
    Path binary = TOOL.stream().filter(Files::isExecutable).findFirst().orElse(TOOL.get(0));
    String action = "list connection tracking with " + binary;
    ProcessBuilder builder =
        new ProcessBuilder(binary.toString(), "-L", "-o", "extended", "-f", "ipv4")
            .redirectError(ProcessBuilder.Redirect.DISCARD);
    try {
      Process process = builder.start();
      process.getOutputStream().close();
      List<String> lines = new ArrayList<>();
      try (BufferedReader in =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII))) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          lines.add(line);
        }
      }
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw HostRuntimeException.failed(action + ": no answer in 30 s");
      }
      if (process.exitValue() != 0) {
        throw HostRuntimeException.failed(action + ": exit " + process.exitValue());
      }
      return lines;
    } catch (IOException e) {
      throw HostRuntimeException.failed(action + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw HostRuntimeException.failed(action + ": interrupted", e);
    }
  }

  /** One line of either format; empty for lines without two complete tuples. */
  static Optional<Flow> parse(String line) {
    String[] tokens = line.trim().split("\\s+");
    int protocolAt = tokens.length > 2 && tokens[0].startsWith("ipv") ? 2 : 0;
    if (tokens.length < protocolAt + 4) {
      return Optional.empty();
    }
    String protocol = tokens[protocolAt];
    String maybeState = tokens[protocolAt + 3];
    String state = maybeState.contains("=") || maybeState.startsWith("[") ? "" : maybeState;
    List<String[]> pairs = new ArrayList<>();
    for (int i = protocolAt + 3; i < tokens.length; i++) {
      int eq = tokens[i].indexOf('=');
      if (eq > 0) {
        pairs.add(new String[] {tokens[i].substring(0, eq), tokens[i].substring(eq + 1)});
      }
    }
    Optional<Tuple> original = tuple(pairs, 0);
    Optional<Tuple> reply = tuple(pairs, 1);
    if (original.isEmpty() || reply.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new Flow(protocol, state, original.get(), reply.get()));
  }

  /** The {@code which}-th (0 original, 1 reply) occurrence of src, dst, sport and dport. */
  private static Optional<Tuple> tuple(List<String[]> pairs, int which) {
    String src = nth(pairs, "src", which);
    String dst = nth(pairs, "dst", which);
    String sport = nth(pairs, "sport", which);
    String dport = nth(pairs, "dport", which);
    if (src == null || dst == null || sport == null || dport == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(new Tuple(src, dst, Integer.parseInt(sport), Integer.parseInt(dport)));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static String nth(List<String[]> pairs, String key, int which) {
    int seen = 0;
    for (String[] pair : pairs) {
      if (pair[0].equals(key) && seen++ == which) {
        return pair[1];
      }
    }
    return null;
  }
}
