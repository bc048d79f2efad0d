package dev.stamp.controller.git;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Objects;
import java.util.regex.Pattern;
import org.eclipse.jgit.lib.Repository;

/**
 * One repository the controller follows: a name (the mirror's directory name), its URL, the branch
 * it deploys, and how to authenticate. The URL is {@code file://}, a plain path, {@code git://},
 * {@code http(s)://} or {@code ssh://}; it must not carry a password (credentials come from files,
 * {@link GitCredentials}), so it can appear in messages and in the mirror's config as it is.
 */
public record RepoSource(String name, String url, String branch, GitCredentials credentials) {

  /** The branch followed when none is given. */
  public static final String DEFAULT_BRANCH = "main";

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

  public RepoSource {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(url, "url");
    if (!NAME.matcher(name).matches() || name.endsWith(".lock") || name.contains("..")) {
      throw new IllegalArgumentException(
          "repository name: expected letters, digits, '.', '_' or '-' (at most 100), got \""
              + name
              + "\"");
    }
    if (url.isBlank() || url.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException(
          "repository " + name + ": url is blank or has control characters");
    }
    if (hasPassword(url)) {
      throw new IllegalArgumentException(
          "repository "
              + name
              + ": the url carries a password; put it in a password file (GitCredentials)"
              + " instead");
    }
    branch = branch == null || branch.isBlank() ? DEFAULT_BRANCH : branch;
    if (!Repository.isValidRefName("refs/heads/" + branch)) {
      throw new IllegalArgumentException(
          "repository " + name + ": \"" + branch + "\" is not a valid branch name");
    }
    credentials = credentials == null ? GitCredentials.none() : credentials;
  }

  /** {@code url} on {@link #DEFAULT_BRANCH} without credentials. */
  public static RepoSource of(String name, String url) {
    return new RepoSource(name, url, DEFAULT_BRANCH, GitCredentials.none());
  }

  public RepoSource withBranch(String newBranch) {
    return new RepoSource(name, url, newBranch, credentials);
  }

  public RepoSource withCredentials(GitCredentials newCredentials) {
    return new RepoSource(name, url, branch, newCredentials);
  }

  /** The full ref of the branch, {@code refs/heads/<branch>}. */
  public String ref() {
    return "refs/heads/" + branch;
  }

  private static boolean hasPassword(String url) {
    int scheme = url.indexOf("://");
    if (scheme < 0) {
      return false;
    }
    try {
      String userInfo = new URI(url).getRawUserInfo();
      return userInfo != null && userInfo.contains(":");
    } catch (URISyntaxException e) {
      int at = url.indexOf('@', scheme + 3);
      int slash = url.indexOf('/', scheme + 3);
      return at > 0 && (slash < 0 || at < slash) && url.substring(scheme + 3, at).contains(":");
    }
  }
}
