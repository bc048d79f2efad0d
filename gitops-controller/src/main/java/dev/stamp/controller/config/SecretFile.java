package dev.stamp.controller.config;

import dev.stamp.controller.ControllerException;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Set;

/**
 * A secret kept in a file (a token, a password, a key), read when it is needed so a rotated secret
 * is picked up without a restart and the configuration never holds one. {@link #read()} refuses a
 * file that group or others may read (0600 or 0400 expected), a missing file and an empty one.
 * {@link #toString()} names the file, never its content.
 */
public record SecretFile(Path path) {

  private static final Set<PosixFilePermission> GROUP_OR_OTHER =
      Set.of(
          PosixFilePermission.GROUP_READ,
          PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.GROUP_EXECUTE,
          PosixFilePermission.OTHERS_READ,
          PosixFilePermission.OTHERS_WRITE,
          PosixFilePermission.OTHERS_EXECUTE);

  /** The largest secret read: keys and tokens are far smaller. */
  static final long MAX_BYTES = 64 * 1024;

  public SecretFile {
    Objects.requireNonNull(path, "path");
    path = path.toAbsolutePath().normalize();
  }

  /**
   * The secret: the file's UTF-8 text without one trailing newline ({@code echo TOKEN > file}).
   *
   * @throws ControllerException BAD_INPUT naming the file when it is missing, not a regular file,
   *     readable by group or others ("chmod 600 FILE"), empty or not UTF-8; FAILED and retryable
   *     when it cannot be read for another reason
   */
  public String read() throws ControllerException {
    byte[] bytes;
    try {
      checkPermissions();
      bytes = Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      throw ControllerException.badInput(
          "reading secret file " + path + ": no such file; create it (mode 600) or fix the path");
    } catch (IOException e) {
      throw ControllerException.unavailable(
          "reading secret file " + path + ": " + e.getMessage(), e);
    }
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(java.nio.ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      throw ControllerException.badInput("reading secret file " + path + ": not UTF-8 text");
    } finally {
      java.util.Arrays.fill(bytes, (byte) 0);
    }
    if (text.endsWith("\r\n")) {
      text = text.substring(0, text.length() - 2);
    } else if (text.endsWith("\n")) {
      text = text.substring(0, text.length() - 1);
    }
    if (text.isEmpty()) {
      throw ControllerException.badInput("reading secret file " + path + ": the file is empty");
    }
    return text;
  }

  /**
   * Creates the file with a new random secret (32 random bytes, hex) and mode 600 when it does not
   * exist yet, so a one-machine controller has an API token without a setup step. An existing file
   * is left as it is (and checked when read).
   *
   * @return whether the file was created
   */
  public boolean createIfAbsent() throws ControllerException {
    if (Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    String secret = HexFormat.of().formatHex(random) + "\n";
    try {
      Files.createDirectories(path.getParent());
      if (Files.getFileStore(path.getParent()).supportsFileAttributeView("posix")) {
        Files.createFile(
            path,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } else {
        Files.createFile(path);
      }
      Files.writeString(path, secret, StandardCharsets.UTF_8, StandardOpenOption.WRITE);
      return true;
    } catch (FileAlreadyExistsException e) {
      return false;
    } catch (IOException e) {
      throw ControllerException.failed("creating secret file " + path + ": " + e.getMessage(), e);
    }
  }

  private void checkPermissions() throws IOException, ControllerException {
    if (!Files.isRegularFile(path)) {
      if (!Files.exists(path)) {
        throw new NoSuchFileException(path.toString());
      }
      throw ControllerException.badInput("reading secret file " + path + ": not a regular file");
    }
    if (Files.size(path) > MAX_BYTES) {
      throw ControllerException.badInput(
          "reading secret file "
              + path
              + ": larger than "
              + MAX_BYTES / 1024
              + " KiB, which is no token, password or key");
    }
    PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
    if (view == null) {
      return; // no POSIX permissions on this file system: nothing to check
    }
    Set<PosixFilePermission> perms = view.readAttributes().permissions();
    if (perms.stream().anyMatch(GROUP_OR_OTHER::contains)) {
      throw ControllerException.badInput(
          "reading secret file "
              + path
              + ": group or others may access it (mode "
              + PosixFilePermissions.toString(perms)
              + "); run chmod 600 "
              + path);
    }
  }

  @Override
  public String toString() {
    return "SecretFile[" + path + "]";
  }
}
