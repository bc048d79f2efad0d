package dev.stamp.builder.engine;

import dev.stamp.builder.BuildException;
import dev.stamp.builder.dockerfile.SourceLocation;
import dev.stamp.runtime.StampException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The URLs of one ADD: each downloaded at most once per step (for the key and for the layer), into
 * the build's temp dir, checked against {@code --checksum} when given.
 */
final class CopyDownloads {

  private final CopyPlan.AddOptions add;
  private final String file;
  private final SourceLocation at;
  private final Map<CopyPlan.Remote, UrlDownloader.Download> downloaded = new HashMap<>();

  CopyDownloads(CopyPlan.AddOptions add, String file, SourceLocation at) {
    this.add = add;
    this.file = file;
    this.at = at;
  }

  /**
   * A URL's cache input: the {@code --checksum} when given (nothing is fetched, so a hit never
   * contacts the server), else the digest of a fresh download (BuildKit's rule).
   */
  String key(CopyPlan.Remote remote) throws BuildException {
    if (add.checksum().isPresent()) {
      return add.checksum().get();
    }
    return download(remote).digest().toString();
  }

  UrlDownloader.Download download(CopyPlan.Remote remote) throws BuildException {
    UrlDownloader.Download d = downloaded.get(remote);
    if (d != null) {
      return d;
    }
    try {
      d = add.downloader().fetch(remote.url(), add.downloads());
    } catch (BuildException e) {
      throw BuildException.wrap(
          file + ":" + at.line() + ":" + at.column() + ": ADD " + remote.source(), e);
    }
    if (add.checksum().isPresent()) {
      String got = checksumOf(d, add.checksum().get());
      if (!add.checksum().get().equals(got)) {
        deleteQuietly(d.file());
        throw CopyPlan.error(
            file,
            at,
            StampException.Kind.FAILED,
            "ADD "
                + remote.source()
                + ": checksum mismatch: expected "
                + add.checksum().get()
                + ", got "
                + got);
      }
    }
    downloaded.put(remote, d);
    return d;
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      // under the build's temp dir, removed with it
    }
  }

  /** The download's digest in the algorithm {@code checksum} names (sha256 is already known). */
  private String checksumOf(UrlDownloader.Download d, String checksum) throws BuildException {
    String algorithm = checksum.substring(0, checksum.indexOf(':'));
    if (algorithm.equals("sha256")) {
      return d.digest().toString();
    }
    try (InputStream in = Files.newInputStream(d.file())) {
      java.security.MessageDigest md =
          java.security.MessageDigest.getInstance(algorithm.replace("sha", "SHA-"));
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = in.read(buf)) >= 0) {
        md.update(buf, 0, n);
      }
      return algorithm + ":" + java.util.HexFormat.of().formatHex(md.digest());
    } catch (IOException | java.security.NoSuchAlgorithmException e) {
      throw BuildException.failed("ADD " + d.file() + ": hash the download: " + e.getMessage(), e);
    }
  }
}
