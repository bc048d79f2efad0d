package dev.stamp.runtime.http;

import dev.stamp.runtime.HostRuntimeException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Set;

/**
 * The agent's bearer token, read from a file that only its owner may read (as ssh insists for
 * private keys). {@link #matches} compares SHA-256 digests with {@link MessageDigest#isEqual}: the
 * time taken tells nothing of the token, not even its length.
 */
public final class BearerToken {

  private static final int MIN_LENGTH = 16;

  private final byte[] digest;

  private BearerToken(byte[] digest) {
    this.digest = digest;
  }

  public static BearerToken fromFile(Path file) throws HostRuntimeException {
    String text;
    try {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
      if (perms.contains(PosixFilePermission.GROUP_READ)
          || perms.contains(PosixFilePermission.OTHERS_READ)) {
        throw HostRuntimeException.badInput(
            "token file "
                + file
                + ": readable by group or others; chmod 600 "
                + file
                + " (the token is a password)");
      }
      text = Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw HostRuntimeException.badInput(
          "token file " + file + ": cannot read it (" + e.getMessage() + ")");
    }
    if (text.length() < MIN_LENGTH || text.chars().anyMatch(c -> c <= ' ' || c > '~')) {
      throw HostRuntimeException.badInput(
          "token file "
              + file
              + ": expected one line of at least "
              + MIN_LENGTH
              + " printable characters without spaces (e.g. openssl rand -hex 32 > "
              + file
              + ")");
    }
    return new BearerToken(sha256(text));
  }

  /** Whether an {@code Authorization} header value carries this token. */
  public boolean matches(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      // still compare, so that a missing header costs what a wrong one does
      MessageDigest.isEqual(digest, sha256(""));
      return false;
    }
    return MessageDigest.isEqual(digest, sha256(authorization.substring(7).strip()));
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
