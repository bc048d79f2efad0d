package dev.stamp.runtime.image;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.fs.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Set;
import java.util.TreeSet;

/** The {@code blobs/sha256} directory of an OCI layout, plus its temp directory for ingests. */
final class BlobStore {

  private final Path dir;
  private final Path tempDir;

  BlobStore(Path layout) {
    this.dir = layout.resolve("blobs").resolve(Digest.SHA256);
    this.tempDir = layout.resolve("tmp");
  }

  void create() throws IOException {
    Files.createDirectories(dir);
    Files.createDirectories(tempDir);
  }

  Path path(Digest digest) throws HostRuntimeException {
    if (!digest.algorithm().equals(Digest.SHA256)) {
      throw HostRuntimeException.badInput("blob " + digest + ": the store keeps sha256 blobs only");
    }
    return dir.resolve(digest.hex());
  }

  boolean has(Digest digest) throws HostRuntimeException {
    return Files.isRegularFile(path(digest));
  }

  long size(Digest digest) throws HostRuntimeException {
    try {
      return Files.size(path(digest));
    } catch (IOException e) {
      throw missing(digest);
    }
  }

  BlobWriter writer() throws HostRuntimeException {
    try {
      return new BlobWriter(this, tempDir);
    } catch (IOException e) {
      throw HostRuntimeException.failed("store blob: create temp file in " + tempDir, e);
    }
  }

  /** Moves a finished, verified temp file into place (a concurrent identical write is fine). */
  void install(Path temp, Digest digest) throws IOException, HostRuntimeException {
    AtomicFiles.rename(temp, path(digest));
  }

  /** A stream of the blob that fails at its end if the content does not match the digest. */
  InputStream open(Digest digest) throws HostRuntimeException {
    try {
      return new VerifyingInputStream(Files.newInputStream(path(digest)), digest);
    } catch (NoSuchFileException e) {
      throw missing(digest);
    } catch (IOException e) {
      throw HostRuntimeException.failed("read blob " + digest + ": " + e.getMessage(), e);
    }
  }

  /** The whole (small) blob, verified. */
  byte[] read(Digest digest) throws HostRuntimeException {
    try (InputStream in = open(digest)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw HostRuntimeException.failed(e.getMessage(), e);
    }
  }

  void delete(Digest digest) throws IOException, HostRuntimeException {
    Files.deleteIfExists(path(digest));
  }

  Set<Digest> list() throws IOException {
    Set<Digest> digests = new TreeSet<>();
    if (!Files.isDirectory(dir)) {
      return digests;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        try {
          digests.add(Digest.sha256(entry.getFileName().toString()));
        } catch (HostRuntimeException e) {
          // Not a blob (someone else's file): leave it alone.
        }
      }
    }
    return digests;
  }

  /** Deletes temp files older than {@code cutoff}: left by a process that died mid-write. */
  void sweepTemp(Instant cutoff) throws IOException {
    if (!Files.isDirectory(tempDir)) {
      return;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(tempDir)) {
      for (Path entry : entries) {
        FileTime modified = Files.getLastModifiedTime(entry);
        if (modified.toInstant().isBefore(cutoff)) {
          AtomicFiles.deleteTree(entry);
        }
      }
    }
  }

  private static HostRuntimeException missing(Digest digest) {
    return HostRuntimeException.notFound("blob " + digest + " is not in the image store");
  }
}
