package dev.stamp.controller.git;

import dev.stamp.controller.ControllerException;
import java.io.File;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.eclipse.jgit.errors.NoRemoteRepositoryException;
import org.eclipse.jgit.errors.TransportException;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.URIish;
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
  private final Path sshHome;
  private final StrictKnownHosts knownHosts;
  private SshdSessionFactory ssh;

  Remote(RepoSource source, Path sshHome) {
    this.source = source;
    this.sshHome = sshHome;
    this.knownHosts = new StrictKnownHosts(source.credentials().knownHostsFile().orElse(null));
  }

  /**
   * The ssh session factory, made on first use: only the configured key (none without one), only
   * the configured known_hosts file, no ~/.ssh, no ssh config, no agent.
   */
  private synchronized SshdSessionFactory ssh() {
    if (ssh == null) {
      GitCredentials c = source.credentials();
      File home = sshHome.toFile();
      ssh =
          new SshdSessionFactoryBuilder()
              .setHomeDirectory(home)
              .setSshDirectory(new File(home, "ssh-unused"))
              .setConfigFile(f -> null)
              .setPreferredAuthentications("publickey")
              .setDefaultIdentities(f -> c.sshKeyFile().map(List::of).orElse(List.of()))
              .setDefaultKnownHostsFiles(f -> c.knownHostsFile().map(List::of).orElse(List.of()))
              .setServerKeyDatabase((h, s) -> knownHosts)
              .build(null);
    }
    return ssh;
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
    knownHosts.reset();
    if (transport instanceof SshTransport sshTransport) {
      sshTransport.setSshSessionFactory(ssh());
    }
  }

  /** True when pushed; false when the remote branch is no longer at {@code expected}. */
  boolean push(Repository repo, String what, ObjectId commit, ObjectId expected, int timeoutSeconds)
      throws ControllerException {
    try (Remote.Secret secret = secret()) {
      try (Transport transport = Transport.open(repo, new URIish(source.url()))) {
        configure(transport, timeoutSeconds);
        transport.setCredentialsProvider(secret.provider());
        RemoteRefUpdate update =
            new RemoteRefUpdate(repo, (String) null, commit, source.ref(), false, null, expected);
        transport.push(NullProgressMonitor.INSTANCE, List.of(update));
        return switch (update.getStatus()) {
          case OK, UP_TO_DATE -> true;
          case REJECTED_NONFASTFORWARD, REJECTED_REMOTE_CHANGED -> false;
          default ->
              throw ControllerException.failed(
                  what
                      + ": the remote refused the push ("
                      + update.getStatus()
                      + (update.getMessage() == null
                          ? ""
                          : ": " + secret.scrub(update.getMessage()))
                      + ")",
                  null);
        };
      } catch (URISyntaxException e) {
        throw ControllerException.badInput(what + ": not a repository URL");
      } catch (TransportException e) {
        throw classify("push " + source.branch() + " to", e, secret);
      } catch (IOException e) {
        throw ControllerException.failed(what + ": " + e.getMessage(), e);
      }
    }
  }

  /**
   * A JGit failure of {@code action} as a ControllerException: unreachable (retryable FAILED),
   * authentication refused or host key refused (FAILED, not retryable), no such repository
   * (NOT_FOUND). The message names the URL (which never carries a password) and never the secret;
   * JGit's exception is kept as the cause for the debug log (its texts carry no credentials).
   */
  ControllerException classify(String action, Throwable e, Secret secret) {
    String detail = secret.scrub(chainText(e)).replace(source.url() + ": ", "");
    String lower = detail.toLowerCase(Locale.ROOT);
    String where = action + " " + source.url();
    if (knownHosts.refusal() != null) {
      return ControllerException.failed(where + ": " + knownHosts.refusal(), e);
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
          where + ": authentication failed (" + firstLine(detail) + ")" + hint, e);
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
          where + ": unreachable or unavailable, will retry (" + firstLine(detail) + ")", e);
    }
    return ControllerException.unavailable(where + ": " + firstLine(detail), e);
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
  public synchronized void close() {
    if (ssh != null) {
      ssh.close();
    }
  }

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
