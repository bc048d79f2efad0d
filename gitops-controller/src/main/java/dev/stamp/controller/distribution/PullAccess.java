package dev.stamp.controller.distribution;

import dev.stamp.controller.ControllerException;
import dev.stamp.controller.config.SecretFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Objects;
import java.util.Optional;

/**
 * Who may pull from the endpoint: holders of the pull password — fixed ({@link #password}) or kept
 * in a file ({@link #passwordFile}: {@code images.pullPasswordFile}, read again when the file
 * changes, so a rotated password needs no restart) — or anyone who can reach a loopback address
 * ({@link #anonymousOnLoopback}, which {@link DistributionServer} refuses on any other address).
 */
public final class PullAccess {

  private record Version(Object fileKey, FileTime modified, long size) {}

  private record Loaded(Version version, PullSecret secret) {}

  private final PullSecret fixed;
  private final SecretFile file;
  private volatile Loaded loaded;

  private PullAccess(PullSecret fixed, SecretFile file) {
    this.fixed = fixed;
    this.file = file;
  }

  /** HTTP Basic, user {@value PullSecret#USER}, this password. */
  public static PullAccess password(PullSecret secret) {
    return new PullAccess(Objects.requireNonNull(secret, "pull secret"), null);
  }

  /** HTTP Basic, user {@value PullSecret#USER}, the password in {@code file} (mode 600). */
  public static PullAccess passwordFile(SecretFile file) {
    return new PullAccess(null, Objects.requireNonNull(file, "pull password file"));
  }

  /** No authentication: only allowed when the endpoint listens on a loopback address. */
  public static PullAccess anonymousOnLoopback() {
    return new PullAccess(null, null);
  }

  public boolean anonymous() {
    return fixed == null && file == null;
  }

  /**
   * The password requests must carry now; empty when anonymous. BAD_INPUT (from {@link
   * SecretFile#read}, or naming the file when the password in it is too weak) when the file cannot
   * give one: the endpoint then refuses every pull until it is fixed.
   */
  Optional<PullSecret> current() throws ControllerException {
    if (fixed != null || file == null) {
      return Optional.ofNullable(fixed);
    }
    Version now = version();
    Loaded known = loaded;
    if (known != null && known.version().equals(now)) {
      return Optional.of(known.secret());
    }
    PullSecret secret;
    try {
      secret = PullSecret.of(file.read());
    } catch (ControllerException e) {
      if (e.getMessage().startsWith("reading secret file")) {
        throw e;
      }
      throw ControllerException.badInput(
          "pull password file " + file.path() + ": " + e.getMessage());
    }
    loaded = new Loaded(now, secret);
    return Optional.of(secret);
  }

  private Version version() {
    try {
      BasicFileAttributes a = Files.readAttributes(file.path(), BasicFileAttributes.class);
      return new Version(a.fileKey(), a.lastModifiedTime(), a.size());
    } catch (IOException e) {
      return new Version(null, null, -1); // read() says what is wrong
    }
  }

  @Override
  public String toString() {
    if (anonymous()) {
      return "PullAccess[anonymous, loopback only]";
    }
    return file != null ? "PullAccess[basic stamp, " + file + "]" : "PullAccess[basic stamp:****]";
  }
}
