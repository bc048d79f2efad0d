package dev.stamp.runtime.network.lb;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.fs.LockFile;
import java.io.FileNotFoundException;
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
 * Service records under {@code ROOT/lb/services}, each replaced atomically (temporary file, then
 * rename), and the lock ({@code ROOT/lb/lock}) that serialises table updates between threads and
 * between Stamp processes sharing a root.
 */
final class ServiceStore {

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private static final String SUFFIX = ".json";

  private final Path dir;
  private final Path lockFile;

  ServiceStore(Path dir, Path lockFile) {
    this.dir = dir;
    this.lockFile = lockFile;
  }

  Path file(String service) {
    return dir.resolve(service + SUFFIX);
  }

  Optional<ServiceRecord> read(String service) throws HostRuntimeException {
    Path file = file(service);
    try {
      return Optional.of(JSON.readValue(file.toFile(), ServiceRecord.class));
    } catch (NoSuchFileException | FileNotFoundException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw HostRuntimeException.failed("read service record " + file + ": " + e.getMessage(), e);
    }
  }

  void write(ServiceRecord record) throws HostRuntimeException {
    Path file = file(record.name());
    Path temp = dir.resolve(record.name() + SUFFIX + ".tmp");
    try {
      Files.createDirectories(dir);
      JSON.writeValue(temp.toFile(), record);
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw HostRuntimeException.failed("write service record " + file + ": " + e.getMessage(), e);
    }
  }

  void delete(String service) throws HostRuntimeException {
    try {
      Files.deleteIfExists(dir.resolve(service + SUFFIX + ".tmp"));
      Files.deleteIfExists(file(service));
    } catch (IOException e) {
      throw HostRuntimeException.failed(
          "delete service record " + file(service) + ": " + e.getMessage(), e);
    }
  }

  /** Every record, in name order, whatever its state. */
  List<ServiceRecord> all() throws HostRuntimeException {
    List<ServiceRecord> records = new ArrayList<>();
    for (String name : names()) {
      read(name).ifPresent(records::add);
    }
    return records;
  }

  List<String> names() throws HostRuntimeException {
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
      throw HostRuntimeException.failed("list service records in " + dir + ": " + e, e);
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
