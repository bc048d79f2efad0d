package dev.stamp.controller.config;

import java.nio.file.Path;

/**
 * How to authenticate to a Git repository, every secret in a file: over http(s) a {@code
 * usernameFile} with a {@code passwordFile}, or a {@code tokenFile} (with an optional {@code
 * usernameFile}); over ssh an {@code sshKeyFile} and the {@code knownHostsFile} the server's key is
 * checked against. Each component is null when not given.
 */
public record RepositoryCredentials(
    SecretFile usernameFile,
    SecretFile passwordFile,
    SecretFile tokenFile,
    SecretFile sshKeyFile,
    Path knownHostsFile) {

  /** Anonymous access. */
  public static final RepositoryCredentials NONE =
      new RepositoryCredentials(null, null, null, null, null);

  public RepositoryCredentials {
    if (passwordFile != null && tokenFile != null) {
      throw new IllegalArgumentException(
          "credentials: passwordFile and tokenFile exclude each other");
    }
    if (passwordFile != null && usernameFile == null) {
      throw new IllegalArgumentException("credentials: passwordFile needs a usernameFile");
    }
  }

  /** Whether nothing is given. */
  public boolean isEmpty() {
    return usernameFile == null
        && passwordFile == null
        && tokenFile == null
        && sshKeyFile == null
        && knownHostsFile == null;
  }

  /** Whether these are http(s) credentials (a user, password or token). */
  public boolean isHttp() {
    return usernameFile != null || passwordFile != null || tokenFile != null;
  }

  /** Whether these are ssh credentials (a key or known hosts). */
  public boolean isSsh() {
    return sshKeyFile != null || knownHostsFile != null;
  }
}
