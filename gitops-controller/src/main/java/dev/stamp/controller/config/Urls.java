package dev.stamp.controller.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * URL rules shared by the configuration's values; messages quote the text with passwords hidden.
 */
final class Urls {

  private static final Pattern PASSWORD = Pattern.compile("(//[^/@:?#]*):[^/@?#]*@");
  private static final Pattern SCP_LIKE = Pattern.compile("[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:.*");

  private Urls() {}

  /** {@code text} with any password between {@code //user:} and {@code @} replaced by ***. */
  static String redact(String text) {
    return text == null ? null : PASSWORD.matcher(text).replaceAll("$1:***@");
  }

  /** {@code "https://host/x"} as messages quote it, password hidden. */
  static String quote(String text) {
    return "\"" + redact(text) + "\"";
  }

  /**
   * An http(s) URL with a host; plain http only to a loopback host unless {@code
   * plainHttpAnywhere}.
   *
   * @throws IllegalArgumentException saying what was expected
   */
  static URI http(String text, boolean plainHttpAnywhere) {
    URI uri = parse(text, "an http(s) URL");
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
      throw new IllegalArgumentException("expected an http(s) URL, got " + quote(text));
    }
    noPassword(uri, text, "keep secrets in files");
    if (uri.getUserInfo() != null) {
      throw new IllegalArgumentException(
          "expected an http(s) URL without user information, got " + quote(text));
    }
    if (scheme.equals("http") && !plainHttpAnywhere && !HostPort.isLoopback(uri.getHost())) {
      throw new IllegalArgumentException(
          "plain http is only allowed to a loopback address (tokens would cross the network in"
              + " clear text); use https, got "
              + quote(text));
    }
    return uri;
  }

  /**
   * A Git repository URL: {@code file://}, an absolute path (made a {@code file:} URL), {@code
   * git://}, {@code http(s)://} or {@code ssh://}; never one carrying a password.
   *
   * @throws IllegalArgumentException saying what was expected
   */
  static URI git(String text) {
    String expected =
        "expected a file://, git://, http(s):// or ssh:// URL or an absolute path, got ";
    if (text.startsWith("/")) {
      try {
        // not Path.toUri(): it adds a slash when the directory exists on this machine
        return new URI("file", "", java.nio.file.Path.of(text).normalize().toString(), null, null);
      } catch (java.nio.file.InvalidPathException | URISyntaxException e) {
        throw new IllegalArgumentException(expected + quote(text));
      }
    }
    if (SCP_LIKE.matcher(text).matches() && !text.contains("://")) {
      int colon = text.indexOf(':');
      throw new IllegalArgumentException(
          expected
              + quote(text)
              + " (write scp-like addresses as ssh://"
              + text.substring(0, colon)
              + "/"
              + text.substring(colon + 1)
              + ")");
    }
    URI uri = parse(text, "a Git URL");
    noPassword(uri, text, "put the secret in credentials.passwordFile or credentials.tokenFile");
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    switch (scheme) {
      case "file" -> {
        if (uri.getPath() == null
            || uri.getPath().isEmpty()
            || uri.getHost() != null && !uri.getHost().equals("localhost")) {
          throw new IllegalArgumentException(
              "expected a file:// URL of a local directory (file:///srv/git/shop.git), got "
                  + quote(text));
        }
      }
      case "git", "http", "https", "ssh" -> {
        if (uri.getHost() == null) {
          throw new IllegalArgumentException(
              "expected a " + scheme + ":// URL with a host, got " + quote(text));
        }
      }
      default -> throw new IllegalArgumentException(expected + quote(text));
    }
    return uri;
  }

  private static URI parse(String text, String what) {
    try {
      return new URI(text);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("expected " + what + ", got " + quote(text));
    }
  }

  private static void noPassword(URI uri, String text, String hint) {
    String info = uri.getRawUserInfo();
    if (info != null && info.contains(":")) {
      throw new IllegalArgumentException(
          "a URL must not carry a password (it would end up in logs and in the API); got "
              + quote(text)
              + "; "
              + hint);
    }
  }
}
