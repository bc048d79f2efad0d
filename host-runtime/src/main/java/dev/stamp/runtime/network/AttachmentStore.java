package dev.stamp.runtime.network;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.fs.LockFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Attachment records under {@code ROOT/networks/attachments}, each replaced atomically (write a
 * temporary file, rename it), and the lock that serialises port reservations between threads and
 * between Stamp processes sharing a root.
 */
final class AttachmentStore {

  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private static final String SUFFIX = ".json";
  private static final String TEMP_SUFFIX = ".json.tmp";

  private final Path dir;
  private final Path lockFile;

  AttachmentStore(Path dir, Path lockFile) {
    this.dir = dir;
    this.lockFile = lockFile;
  }

  Path file(String containerId) {
    return dir.resolve(containerId + SUFFIX);
  }

  Optional<AttachmentRecord> read(String containerId) throws HostRuntimeException {
    Path file = file(containerId);
    try {
      return Optional.of(JSON.readValue(file.toFile(), AttachmentRecord.class));
    } catch (NoSuchFileException | java.io.FileNotFoundException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw HostRuntimeException.failed(
          "read network attachment " + file + ": " + e.getMessage(), e);
    }
  }

  void write(AttachmentRecord record) throws HostRuntimeException {
    Path file = file(record.containerId());
    Path temp = dir.resolve(record.containerId() + TEMP_SUFFIX);
    try {
      Files.createDirectories(dir);
      JSON.writeValue(temp.toFile(), record);
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw HostRuntimeException.failed(
          "write network attachment " + file + ": " + e.getMessage(), e);
    }
  }

  void delete(String containerId) throws HostRuntimeException {
    try {
      Files.deleteIfExists(dir.resolve(containerId + TEMP_SUFFIX));
      Files.deleteIfExists(file(containerId));
    } catch (IOException e) {
      throw HostRuntimeException.failed(
          "delete network attachment " + file(containerId) + ": " + e.getMessage(), e);
    }
  }

  /** Every recorded attachment, complete or not. */
  List<AttachmentRecord> all() throws HostRuntimeException {
    List<AttachmentRecord> records = new ArrayList<>();
    for (String id : containerIds()) {
      read(id).ifPresent(records::add);
    }
    return records;
  }

  /** The containers that have a record (including half-made attachments of killed processes). */
  List<String> containerIds() throws HostRuntimeException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(SUFFIX))
          .map(n -> n.substring(0, n.length() - SUFFIX.length()))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw HostRuntimeException.failed("list network attachments in " + dir + ": " + e, e);
    }
  }

  /** Holds the lock on this store (threads and processes) until closed. */
  Lock lock() throws HostRuntimeException {
    try {
      Files.createDirectories(lockFile.getParent());
      LockFile.Held held = LockFile.of(lockFile).exclusive();
      return held::close;
    } catch (IOException e) {
      throw HostRuntimeException.failed("lock " + lockFile + ": " + e.getMessage(), e);
    }
  }

  /** The held lock; closing releases it. */
  interface Lock extends AutoCloseable {
    @Override
    void close();
  }
}
