package dev.stamp.runtime.network.lb;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.stamp.runtime.HostRuntimeException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * Service records under {@code ROOT/lb/services}, each replaced atomically (temporary file, then
 * rename), and the lock ({@code ROOT/lb/lock}) that serialises table updates between threads and
 * between Stamp processes sharing a root.
 */
final class ServiceStore {

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** FileChannel locks are per process; threads of one JVM queue on this lock first. */
  private static final ConcurrentHashMap<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

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

  /** Holds the root's load-balancer lock until closed. */
  Lock lock() throws HostRuntimeException {
    ReentrantLock jvmLock = JVM_LOCKS.computeIfAbsent(lockFile, p -> new ReentrantLock());
    jvmLock.lock();
    try {
      Files.createDirectories(lockFile.getParent());
      FileChannel channel =
          FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      try {
        return new Lock(jvmLock, channel, channel.lock());
      } catch (IOException | RuntimeException e) {
        channel.close();
        throw e;
      }
    } catch (IOException e) {
      jvmLock.unlock();
      throw HostRuntimeException.failed("lock " + lockFile + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      jvmLock.unlock();
      throw e;
    }
  }

  /** The held lock; closing releases the file lock, then the JVM lock. */
  static final class Lock implements AutoCloseable {
    private final ReentrantLock jvmLock;
    private final FileChannel channel;
    private final FileLock fileLock;

    private Lock(ReentrantLock jvmLock, FileChannel channel, FileLock fileLock) {
      this.jvmLock = jvmLock;
      this.channel = channel;
      this.fileLock = fileLock;
    }

    @Override
    public void close() {
      try {
        fileLock.release();
        channel.close();
      } catch (IOException ignored) {
        // closing the channel releases the lock in any case
      } finally {
        jvmLock.unlock();
      }
    }
  }
}
