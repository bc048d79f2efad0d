package dev.stamp.controller.distribution;

import dev.stamp.controller.ControllerException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The pull password agents present to the controller's distribution endpoint (HTTP Basic, user
 * {@value #USER}). Kept as a SHA-256 of {@code stamp:PASSWORD} besides the text (which only {@link
 * #reveal()} gives, to write an agent's registry-auth file); {@link #toString()} never shows it.
 * {@link #matchesBasic} compares digests with {@link MessageDigest#isEqual}, so the time taken
 * tells nothing of the password, not even its length.
 */
public final class PullSecret {

  /** The only user name the endpoint accepts. */
  public static final String USER = "stamp";

  static final int MIN_LENGTH = 16;

  private final String password;
  private final byte[] expected;

  private PullSecret(String password) {
    this.password = password;
    this.expected = sha256(USER + ":" + password);
  }

  /**
   * A password of at least {@value #MIN_LENGTH} printable ASCII characters without spaces or
   * colons; BAD_INPUT otherwise (the message never repeats it).
   */
  public static PullSecret of(String password) throws ControllerException {
    if (password == null
        || password.length() < MIN_LENGTH
        || password.chars().anyMatch(c -> c <= ' ' || c > '~' || c == ':')) {
      throw ControllerException.badInput(
          "pull password: expected at least "
              + MIN_LENGTH
              + " printable ASCII characters without spaces or ':' (e.g. openssl rand -hex 32)");
    }
    return new PullSecret(password);
  }

  /** 32 random bytes as 64 hex characters. */
  public static PullSecret generate() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return new PullSecret(HexFormat.of().formatHex(bytes));
  }

  /** The password itself: for an agent's registry-auth file, never for a log. */
  public String reveal() {
    return password;
  }

  /**
   * The Docker {@code config.json} an agent reads with {@code --registry-auth FILE} to pull from
   * {@code registry} ({@code host:port}).
   */
  public String dockerConfigJson(String registry) {
    String auth =
        Base64.getEncoder()
            .encodeToString((USER + ":" + password).getBytes(StandardCharsets.UTF_8));
    return "{\"auths\":{\"" + registry + "\":{\"auth\":\"" + auth + "\"}}}\n";
  }

  /** Whether an {@code Authorization} header value is Basic with user stamp and this password. */
  boolean matchesBasic(String authorization) {
    String pair = "";
    if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
      try {
        pair =
            new String(
                Base64.getDecoder().decode(authorization.substring(6).strip()),
                StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        pair = "";
      }
    }
    // always one digest and one comparison: a missing header costs what a wrong one does
    return MessageDigest.isEqual(expected, sha256(pair)) && !pair.isEmpty();
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }

  @Override
  public String toString() {
    return "PullSecret[****]";
  }
}
