package dev.stamp.runtime.linux;

import dev.stamp.runtime.HostRuntimeException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The {@code stamp-shim} binary the build compiled into the jar, extracted once per content to
 * {@code ROOT/runtime/stamp-shim-<sha256 prefix>} (mode 0555, temp file + rename, so concurrent
 * extractions never expose a half-written file).
 */
public final class ShimBinary {

  static final String RESOURCE = "/dev/stamp/runtime/native/stamp-shim";

  private ShimBinary() {}

  /** The extracted binary under {@code runtimeDir}, extracting it if this version is missing. */
  public static Path extract(Path runtimeDir) throws HostRuntimeException {
    // the build wrote the hash beside the binary: the binary is read only to extract it
    String built = builtHash();
    if (built != null) {
      Path target = runtimeDir.resolve("stamp-shim-" + built.substring(0, 16));
      if (Files.isExecutable(target)) {
        return target;
      }
    }
    byte[] bytes = load();
    Path target = runtimeDir.resolve("stamp-shim-" + Sha256.hex(bytes).substring(0, 16));
    if (Files.isExecutable(target)) {
      return target;
    }
    try {
      Files.createDirectories(runtimeDir);
      Path tmp = Files.createTempFile(runtimeDir, ".stamp-shim", ".tmp");
      Files.write(tmp, bytes);
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("r-xr-xr-x"));
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return target;
    } catch (IOException e) {
      throw HostRuntimeException.failed("extract stamp-shim to " + target + ": " + e, e);
    }
  }

  /** The SHA-256 the build wrote to {@code stamp-shim.sha256}, or null (then it is computed). */
  private static String builtHash() {
    try (InputStream in = ShimBinary.class.getResourceAsStream(RESOURCE + ".sha256")) {
      String hash =
          in == null ? "" : new String(in.readAllBytes(), StandardCharsets.US_ASCII).strip();
      return hash.matches("[0-9a-f]{64}") ? hash : null;
    } catch (IOException e) {
      return null;
    }
  }

  private static byte[] load() throws HostRuntimeException {
    try (InputStream in = ShimBinary.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw HostRuntimeException.failed(
            "load stamp-shim: resource " + RESOURCE + " missing (build host-runtime with Maven)");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw HostRuntimeException.failed("load stamp-shim: " + e, e);
    }
  }
}
