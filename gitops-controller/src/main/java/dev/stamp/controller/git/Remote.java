package dev.stamp.controller.git;

import dev.stamp.controller.ControllerException;
import java.io.File;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.eclipse.jgit.errors.NoRemoteRepositoryException;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.transport.sshd.SshdSessionFactoryBuilder;

/**
 * One repository's URL with its credentials applied at call time: a {@link CredentialsProvider}
 * built from the password file for each operation (never written to the mirror's config), and for
 * ssh:// a session factory that uses only the configured key and known_hosts file (no ~/.ssh, no
 * ssh config, no agent). Also sorts transport failures by what the caller should do.
 */
final class Remote implements AutoCloseable {

  private final RepoSource source;
  private final StrictKnownHosts knownHosts;
  private final SshdSessionFactory ssh;

  Remote(RepoSource source, Path sshHome) {
    this.source = source;
    GitCredentials c = source.credentials();
    if (c.sshKeyFile().isPresent()) {
      this.knownHosts = new StrictKnownHosts(c.knownHostsFile().orElseThrow());
      Path key = c.sshKeyFile().orElseThrow();
      File home = sshHome.toFile();
      this.ssh =
          new SshdSessionFactoryBuilder()
              .setHomeDirectory(home)
              .setSshDirectory(new File(home, "ssh-unused"))
              .setConfigFile(f -> null)
              .setPreferredAuthentications("publickey")
              .setDefaultIdentities(f -> List.of(key))
              .setDefaultKnownHostsFiles(f -> List.of(c.knownHostsFile().orElseThrow()))
              .setServerKeyDatabase((h, s) -> knownHosts)
              .build(null);
    } else {
      this.knownHosts = null;
      this.ssh = null;
    }
  }

  String url() {
    return source.url();
  }

  /** A provider for one operation, or null without a password file; clear it when done. */
  Secret secret() throws ControllerException {
    GitCredentials c = source.credentials();
    if (c.passwordFile().isEmpty()) {
      return new Secret(null, null);
    }
    char[] password = c.readPassword();
    return new Secret(new UsernamePasswordCredentialsProvider(c.httpUser(), password), password);
  }

  /** Applies the ssh session factory and the timeout to a transport JGit opened. */
  void configure(Transport transport, int timeoutSeconds) {
    transport.setTimeout(timeoutSeconds);
    if (transport instanceof SshTransport sshTransport) {
      if (ssh != null) {
        sshTransport.setSshSessionFactory(ssh);
      } else {
        // no key configured: still never consult ~/.ssh or accept an unknown host
        sshTransport.setSshSessionFactory(NO_KEY_SSH);
      }
    }
  }

  /**
   * A JGit failure of {@code action} as a ControllerException: unreachable (retryable FAILED),
   * authentication refused or host key refused (FAILED, not retryable), no such repository
   * (NOT_FOUND). The message names the URL (which never carries a password) and never the secret.
   */
  ControllerException classify(String action, Throwable e, Secret secret) {
    String detail = secret.scrub(chainText(e));
    String lower = detail.toLowerCase(Locale.ROOT);
    String where = action + " " + source.url();
    if (knownHosts != null && knownHosts.refusal() != null) {
      return ControllerException.failed(where + ": " + knownHosts.refusal(), null);
    }
    if (lower.contains("not authorized")
        || lower.contains("authentication is required")
        || lower.contains("authentication not supported")
        || lower.contains("auth fail")
        || lower.contains("no more authentication methods")
        || lower.contains("authentication failed")
        || lower.contains("not permitted")
        || lower.contains("cannot log in")
        || lower.contains("server key did not validate")) {
      String hint =
          source.credentials().passwordFile().map(p -> "; check the password file " + p).orElse("");
      hint +=
          source.credentials().sshKeyFile().map(p -> "; check the ssh key file " + p).orElse("");
      return ControllerException.failed(
          where + ": authentication failed (" + firstLine(detail) + ")" + hint, null);
    }
    if (has(e, NoRemoteRepositoryException.class)
        || lower.contains("repository not found")
        || lower.contains("not exported")
        || lower.contains("does not appear to be a git repository")) {
      return ControllerException.notFound(
          where + ": no repository there (" + firstLine(detail) + ")");
    }
    if (has(e, ConnectException.class)
        || has(e, UnknownHostException.class)
        || has(e, NoRouteToHostException.class)
        || has(e, SocketTimeoutException.class)
        || lower.contains("connection refused")
        || lower.contains("connection reset")
        || lower.contains("timed out")
        || lower.contains("timeout")
        || lower.contains("unknownhost")
        || lower.contains("remote hung up")
        || lower.contains("connection failed")
        || lower.matches("(?s).*\\b5\\d\\d\\b.*")) {
      return ControllerException.unavailable(
          where + ": unreachable, will retry (" + firstLine(detail) + ")", null);
    }
    return ControllerException.unavailable(where + ": " + firstLine(detail), null);
  }

  private static boolean has(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  private static String chainText(Throwable e) {
    StringBuilder b = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t.getMessage() != null && b.indexOf(t.getMessage()) < 0) {
        if (b.length() > 0) {
          b.append(": ");
        }
        b.append(t.getMessage());
      } else if (t.getMessage() == null) {
        if (b.length() > 0) {
          b.append(": ");
        }
        b.append(t.getClass().getSimpleName());
      }
    }
    return b.toString();
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return (nl < 0 ? s : s.substring(0, nl)).strip();
  }

  @Override
  public void close() {
    if (ssh != null) {
      ssh.close();
    }
  }

  private static final SshdSessionFactory NO_KEY_SSH =
      new SshdSessionFactoryBuilder()
          .setHomeDirectory(new File(System.getProperty("java.io.tmpdir"), "stamp-no-ssh-home"))
          .setSshDirectory(new File(System.getProperty("java.io.tmpdir"), "stamp-no-ssh-home/none"))
          .setConfigFile(f -> null)
          .setDefaultIdentities(f -> List.of())
          .setDefaultKnownHostsFiles(f -> List.of())
          .setServerKeyDatabase((h, s) -> new StrictKnownHosts(Path.of("/nonexistent-known-hosts")))
          .build(null);

  /** The password of one operation: its provider, wiped after use. */
  static final class Secret implements AutoCloseable {
    private final CredentialsProvider provider;
    private final char[] password;

    Secret(CredentialsProvider provider, char[] password) {
      this.provider = provider;
      this.password = password;
    }

    CredentialsProvider provider() {
      return provider;
    }

    String scrub(String text) {
      if (password == null || password.length < 4 || text == null) {
        return text;
      }
      return text.replace(new String(password), "***");
    }

    @Override
    public void close() {
      if (provider instanceof UsernamePasswordCredentialsProvider up) {
        up.clear();
      }
      if (password != null) {
        Arrays.fill(password, '\0');
      }
    }
  }
}
