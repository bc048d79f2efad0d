package dev.stamp.controller.git;

import dev.stamp.controller.ControllerException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * How the controller authenticates to one repository, from files named in the controller's
 * configuration (never from the repository itself). The secret stays in its file: this value holds
 * only the path, so printing it shows no password, and a rotated token is read on the next fetch.
 *
 * @param username for http(s); defaults to {@value #TOKEN_USER} when only a token file is given
 * @param passwordFile a file holding the http(s) password or token (one line; the trailing newline
 *     is dropped)
 * @param sshKeyFile an unencrypted OpenSSH private key for ssh://
 * @param knownHostsFile the known_hosts file ssh:// host keys are checked against; an unknown or
 *     changed host key is refused, never added
 */
public record GitCredentials(
    Optional<String> username,
    Optional<Path> passwordFile,
    Optional<Path> sshKeyFile,
    Optional<Path> knownHostsFile) {

  /** The user name sent with a token when none is configured (GitHub and Gitea accept any). */
  public static final String TOKEN_USER = "x-access-token";

  private static final GitCredentials NONE =
      new GitCredentials(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());

  public GitCredentials {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(passwordFile, "passwordFile");
    Objects.requireNonNull(sshKeyFile, "sshKeyFile");
    Objects.requireNonNull(knownHostsFile, "knownHostsFile");
    username.ifPresent(
        u -> {
          if (u.isBlank() || u.contains(":") || u.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException(
                "git credentials: username must be non-blank, without ':' or control characters");
          }
        });
    if (sshKeyFile.isPresent() != knownHostsFile.isPresent()) {
      throw new IllegalArgumentException(
          "git credentials: an ssh key file needs a known_hosts file and the other way round");
    }
  }

  /** No credentials: public repositories, local paths, git://. */
  public static GitCredentials none() {
    return NONE;
  }

  /** http(s) basic authentication with the password read from {@code passwordFile}. */
  public static GitCredentials basic(String username, Path passwordFile) {
    return new GitCredentials(
        Optional.of(username), Optional.of(passwordFile), Optional.empty(), Optional.empty());
  }

  /**
   * http(s) with a token read from {@code tokenFile}, sent as the password of {@value #TOKEN_USER}.
   */
  public static GitCredentials token(Path tokenFile) {
    return new GitCredentials(
        Optional.empty(), Optional.of(tokenFile), Optional.empty(), Optional.empty());
  }

  /** ssh:// with a private key, checking the host key against {@code knownHostsFile}. */
  public static GitCredentials ssh(Path keyFile, Path knownHostsFile) {
    return new GitCredentials(
        Optional.empty(), Optional.empty(), Optional.of(keyFile), Optional.of(knownHostsFile));
  }

  /** The user name for http(s): the configured one, or {@value #TOKEN_USER} for a bare token. */
  public String httpUser() {
    return username.orElse(TOKEN_USER);
  }

  /** Reads the password or token from its file; BAD_INPUT naming the file when it cannot. */
  char[] readPassword() throws ControllerException {
    Path file = passwordFile.orElseThrow();
    try {
      String text = Files.readString(file, StandardCharsets.UTF_8);
      int end = text.length();
      while (end > 0 && (text.charAt(end - 1) == '\n' || text.charAt(end - 1) == '\r')) {
        end--;
      }
      if (end == 0) {
        throw ControllerException.badInput("git credentials: password file " + file + " is empty");
      }
      return text.substring(0, end).toCharArray();
    } catch (IOException e) {
      throw ControllerException.badInput(
          "git credentials: cannot read password file "
              + file
              + ": "
              + e.getClass().getSimpleName());
    }
  }
}
