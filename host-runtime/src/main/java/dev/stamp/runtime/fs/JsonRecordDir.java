package dev.stamp.runtime.fs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.stamp.runtime.HostRuntimeException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * A directory of records, one {@code KEY.json} file each, every write a whole replacement (a
 * temporary file renamed over the old one), plus the lock that serialises read-modify-write
 * sequences between threads and between Stamp processes sharing a root. Messages name {@code what}
 * ("network attachment", "service record") and the file.
 */
public final class JsonRecordDir<T> {

  /** Indented JSON, as every Stamp state file is written. */
  public static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private static final String SUFFIX = ".json";
  private static final String TEMP_SUFFIX = ".json.tmp";

  private final Path dir;
  private final Path lockFile;
  private final Class<T> type;
  private final Function<T, String> key;
  private final String what;

  /**
   * @param key the record's file name without {@code .json}
   * @param what what a record is, for messages
   */
  public JsonRecordDir(
      Path dir, Path lockFile, Class<T> type, Function<T, String> key, String what) {
    this.dir = dir;
    this.lockFile = lockFile;
    this.type = type;
    this.key = key;
    this.what = what;
  }

  public Path file(String key) {
    return dir.resolve(key + SUFFIX);
  }

  public Optional<T> read(String key) throws HostRuntimeException {
    Path file = file(key);
    try {
      return Optional.of(JSON.readValue(file.toFile(), type));
    } catch (NoSuchFileException | FileNotFoundException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw HostRuntimeException.failed("read " + what + " " + file + ": " + e.getMessage(), e);
    }
  }

  public void write(T record) throws HostRuntimeException {
    String name = key.apply(record);
    Path file = file(name);
    Path temp = dir.resolve(name + TEMP_SUFFIX);
    try {
      Files.createDirectories(dir);
      JSON.writeValue(temp.toFile(), record);
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw HostRuntimeException.failed("write " + what + " " + file + ": " + e.getMessage(), e);
    }
  }

  public void delete(String key) throws HostRuntimeException {
    try {
      Files.deleteIfExists(dir.resolve(key + TEMP_SUFFIX));
      Files.deleteIfExists(file(key));
    } catch (IOException e) {
      throw HostRuntimeException.failed(
          "delete " + what + " " + file(key) + ": " + e.getMessage(), e);
    }
  }

  /** Every record, in key order. */
  public List<T> all() throws HostRuntimeException {
    List<T> records = new ArrayList<>();
    for (String k : keys()) {
      read(k).ifPresent(records::add);
    }
    return records;
  }

  /** The keys that have a record, sorted. */
  public List<String> keys() throws HostRuntimeException {
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
      throw HostRuntimeException.failed("list " + what + "s in " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Holds this directory's lock (threads and processes) until closed. */
  public LockFile.Held lock() throws HostRuntimeException {
    try {
      Files.createDirectories(lockFile.getParent());
      return LockFile.of(lockFile).exclusive();
    } catch (IOException e) {
      throw HostRuntimeException.failed("lock " + lockFile + ": " + e.getMessage(), e);
    }
  }
}
