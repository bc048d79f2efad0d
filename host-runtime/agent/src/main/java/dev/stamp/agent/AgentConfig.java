package dev.stamp.agent;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.registry.CredentialSource;
import dev.stamp.runtime.registry.DockerConfigCredentials;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * How {@code stamp agent} runs: its state root, where it listens (loopback by default), its token
 * file, optional TLS (certificate and PKCS#8 key in PEM, and a client CA for mTLS), the host
 * directories bind volumes may come from, and optionally the registry credentials its pulls present
 * ({@code --registry-auth FILE}: a Docker {@code config.json}, e.g. the controller's pull password
 * for its distribution endpoint).
 */
public record AgentConfig(
    StampRoot root,
    String host,
    int port,
    Path tokenFile,
    Optional<Path> tlsCert,
    Optional<Path> tlsKey,
    Optional<Path> clientCa,
    List<Path> bindRoots,
    Optional<Path> registryAuth) {

  public static final int DEFAULT_PORT = 7070;

  public AgentConfig {
    bindRoots = List.copyOf(bindRoots);
  }

  /** Without registry credentials of its own (pulls read the user's Docker config, if any). */
  public AgentConfig(
      StampRoot root,
      String host,
      int port,
      Path tokenFile,
      Optional<Path> tlsCert,
      Optional<Path> tlsKey,
      Optional<Path> clientCa,
      List<Path> bindRoots) {
    this(root, host, port, tokenFile, tlsCert, tlsKey, clientCa, bindRoots, Optional.empty());
  }

  /**
   * Where pulls find registry credentials: the {@code --registry-auth} file (read at each pull, so
   * a rotated password needs no restart), else Docker's config.json as {@code stamp pull} reads it.
   */
  public CredentialSource registryCredentials() {
    return registryAuth
        .<CredentialSource>map(DockerConfigCredentials::new)
        .orElseGet(() -> DockerConfigCredentials.fromEnvironment(Map.of()));
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
    if (registryAuth.isPresent()) {
      checkRegistryAuth(registryAuth.get());
    }
  }

  /**
   * The registry-auth file must exist, be readable by its owner only (it holds passwords), and be a
   * Docker config.json; BAD_INPUT naming the file otherwise (never its content).
   */
  private static void checkRegistryAuth(Path file) throws HostRuntimeException {
    Set<PosixFilePermission> perms;
    try {
      perms = Files.getPosixFilePermissions(file);
    } catch (IOException e) {
      throw HostRuntimeException.badInput(
          "--registry-auth " + file + ": cannot read it (" + e.getMessage() + ")");
    }
    if (perms.contains(PosixFilePermission.GROUP_READ)
        || perms.contains(PosixFilePermission.OTHERS_READ)) {
      throw HostRuntimeException.badInput(
          "--registry-auth "
              + file
              + ": readable by group or others; chmod 600 "
              + file
              + " (it holds registry passwords)");
    }
    // parses it: a file that is not a Docker config.json fails here, not at the first pull
    new DockerConfigCredentials(file).find("localhost");
  }
}
