package dev.stamp.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Secret files as Stamp accepts them: tokens, passwords and keys readable by the owner only. */
public final class SecretFiles {

  private SecretFiles() {}

  /** Writes {@code value} to {@code dir/name} with mode 0600 and returns the file. */
  public static Path write(Path dir, String name, String value) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, value);
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
    return p;
  }
}
