package dev.stamp.agent;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampRoot;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * How {@code stamp agent} runs: its state root, where it listens (loopback by default), its token
 * file, optional TLS (certificate and PKCS#8 key in PEM, and a client CA for mTLS), and the host
 * directories bind volumes may come from.
 */
public record AgentConfig(
    StampRoot root,
    String host,
    int port,
    Path tokenFile,
    Optional<Path> tlsCert,
    Optional<Path> tlsKey,
    Optional<Path> clientCa,
    List<Path> bindRoots) {

  public static final int DEFAULT_PORT = 7070;

  public AgentConfig {
    bindRoots = List.copyOf(bindRoots);
  }

  /** Parses {@code --listen HOST:PORT} (or {@code :PORT}, or {@code PORT}); default loopback. */
  public static String[] listen(String text) throws HostRuntimeException {
    String host = "127.0.0.1";
    String port = text;
    int colon = text.lastIndexOf(':');
    if (colon >= 0) {
      host = colon == 0 ? "0.0.0.0" : text.substring(0, colon);
      port = text.substring(colon + 1);
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int p;
    try {
      p = Integer.parseInt(port);
    } catch (NumberFormatException e) {
      p = -1;
    }
    if (p < 0 || p > 65535) {
      throw HostRuntimeException.badInput(
          "--listen " + text + ": expected HOST:PORT with a port 0-65535");
    }
    try {
      InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw HostRuntimeException.badInput("--listen " + text + ": unknown host " + host);
    }
    return new String[] {host, Integer.toString(p)};
  }

  /** Checks that TLS options come as a pair, and a client CA only with TLS. */
  public void check() throws HostRuntimeException {
    if (tlsCert.isPresent() != tlsKey.isPresent()) {
      throw HostRuntimeException.badInput("--tls-cert and --tls-key go together");
    }
    if (clientCa.isPresent() && tlsCert.isEmpty()) {
      throw HostRuntimeException.badInput("--client-ca needs --tls-cert and --tls-key");
    }
    for (Path p : bindRoots) {
      if (!p.isAbsolute()) {
        throw HostRuntimeException.badInput("--bind-root " + p + ": expected an absolute path");
      }
    }
  }
}
