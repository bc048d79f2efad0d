package dev.stamp.runtime.image;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.linux.NativeSha256;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A content digest, {@code sha256:<64 lowercase hex>} (sha512 with 128 hex is accepted too). Made
 * by {@link #parse} (validating) or {@link #of} (computing).
 */
public record Digest(String algorithm, String encoded) implements Comparable<Digest> {

  public static final String SHA256 = "sha256";
  public static final String SHA512 = "sha512";

  private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern SHA512_HEX = Pattern.compile("[0-9a-f]{128}");

  public Digest {
    if (!isValid(algorithm, encoded)) {
      throw new IllegalArgumentException(
          "invalid digest \"" + algorithm + ":" + encoded + "\": " + expected());
    }
  }

  /** Parses {@code sha256:<64 hex>} or {@code sha512:<128 hex>}; BAD_INPUT naming the input. */
  public static Digest parse(String text) throws HostRuntimeException {
    int colon = text == null ? -1 : text.indexOf(':');
    if (colon < 0 || !isValid(text.substring(0, colon), text.substring(colon + 1))) {
      throw HostRuntimeException.badInput("invalid digest \"" + text + "\": " + expected());
    }
    return new Digest(text.substring(0, colon), text.substring(colon + 1));
  }

  /** The sha256 digest of {@code bytes}. */
  public static Digest of(byte[] bytes) {
    MessageDigest md = sha256();
    md.update(bytes);
    return of(md);
  }

  /** The digest a finished sha256 (or sha512) {@link MessageDigest} computed. */
  public static Digest of(MessageDigest md) {
    String algorithm =
        switch (md.getAlgorithm()) {
          case "SHA-256" -> SHA256;
          case "SHA-512" -> SHA512;
          default ->
              throw new IllegalArgumentException(
                  "unsupported digest algorithm " + md.getAlgorithm());
        };
    return new Digest(algorithm, HexFormat.of().formatHex(md.digest()));
  }

  /** A sha256 digest from its 64 hex characters. */
  public static Digest sha256(String hex) throws HostRuntimeException {
    return parse(SHA256 + ":" + hex);
  }

  /**
   * A fresh sha256 {@link MessageDigest}: large content is hashed by libcrypto when present ({@link
   * NativeSha256}; the JDK's is slow without C2, which the CLI runs without).
   */
  public static MessageDigest sha256() {
    return NativeSha256.create();
  }

  /** A fresh {@link MessageDigest} of this digest's algorithm, to verify content against it. */
  public MessageDigest newMessageDigest() {
    return algorithm.equals(SHA512) ? messageDigest("SHA-512") : sha256();
  }

  /** The hex part (same as {@link #encoded()}). */
  public String hex() {
    return encoded;
  }

  /** The first 12 hex characters, as Docker prints IMAGE IDs. */
  public String shortHex() {
    return encoded.substring(0, 12);
  }

  @JsonValue
  @Override
  public String toString() {
    return algorithm + ":" + encoded;
  }

  @JsonCreator
  static Digest fromJson(String text) {
    try {
      return parse(text);
    } catch (HostRuntimeException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  @Override
  public int compareTo(Digest other) {
    return toString().compareTo(other.toString());
  }

  /**
   * Written out: a record's generated equals and hashCode link through {@code ObjectMethods}'s
   * bootstrap on first use, which spins ~25 method-handle forms (~20 ms of a CLI's start; digests
   * are the store's map keys).
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof Digest d && algorithm.equals(d.algorithm) && encoded.equals(d.encoded);
  }

  @Override
  public int hashCode() {
    return 31 * algorithm.hashCode() + encoded.hashCode();
  }

  private static boolean isValid(String algorithm, String encoded) {
    if (algorithm == null || encoded == null) {
      return false;
    }
    return switch (algorithm) {
      case SHA256 -> SHA256_HEX.matcher(encoded).matches();
      case SHA512 -> SHA512_HEX.matcher(encoded).matches();
      default -> false;
    };
  }

  private static String expected() {
    return "expected sha256:<64 lowercase hex> or sha512:<128 lowercase hex>";
  }

  private static MessageDigest messageDigest(String name) {
    try {
      return MessageDigest.getInstance(name);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(name + " missing from the JDK", e);
    }
  }
}
