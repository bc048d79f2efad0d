package dev.stamp.runtime.fs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.stamp.runtime.HostRuntimeException;
import java.io.ByteArrayOutputStream;
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
 *
 * <p>A record type is read and written either by a {@link Codec} (Jackson's streaming API: the
 * network records a CLI's {@code run} touches, so it loads no data binding) or by the object mapper
 * ({@link #json()}, built on first use).
 */
public final class JsonRecordDir<T> {

  /**
   * Reads and writes one record type's file. {@code read} gets the whole file and fails with an
   * {@link IOException} naming the field at fault; {@code write} gives the file's bytes.
   */
  public interface Codec<T> {
    T read(byte[] json) throws IOException;

    void write(T record, java.io.OutputStream out) throws IOException;
  }

  /** Indented JSON, as every Stamp state file is written; built on first use. */
  public static ObjectMapper json() {
    return Mapper.JSON;
  }

  /** Loaded only when a mapper-read record type is used. */
  private static final class Mapper {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  }

  /** The object mapper path, for record types without a codec of their own. */
  private static final class MapperCodec<T> implements Codec<T> {
    private final Class<T> type;

    MapperCodec(Class<T> type) {
      this.type = type;
    }

    @Override
    public T read(byte[] json) throws IOException {
      return Mapper.JSON.readValue(json, type);
    }

    @Override
    public void write(T record, java.io.OutputStream out) throws IOException {
      Mapper.JSON.writeValue(out, record);
    }
  }

  private static final String SUFFIX = ".json";
  private static final String TEMP_SUFFIX = ".json.tmp";

  private final Path dir;
  private final Path lockFile;
  private final Codec<T> codec;
  private final Function<T, String> key;
  private final String what;

  /**
   * Records read and written by the object mapper.
   *
   * @param key the record's file name without {@code .json}
   * @param what what a record is, for messages
   */
  public JsonRecordDir(
      Path dir, Path lockFile, Class<T> type, Function<T, String> key, String what) {
    this(dir, lockFile, new MapperCodec<>(type), key, what);
  }

  /**
   * Records read and written by {@code codec}.
   *
   * @param key the record's file name without {@code .json}
   * @param what what a record is, for messages
   */
  public JsonRecordDir(
      Path dir, Path lockFile, Codec<T> codec, Function<T, String> key, String what) {
    this.dir = dir;
    this.lockFile = lockFile;
    this.codec = codec;
    this.key = key;
    this.what = what;
  }

  public Path file(String key) {
    return dir.resolve(key + SUFFIX);
  }

  public Optional<T> read(String key) throws HostRuntimeException {
    Path file = file(key);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException | FileNotFoundException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw HostRuntimeException.failed("read " + what + " " + file + ": " + e.getMessage(), e);
    }
    try {
      return Optional.of(codec.read(bytes));
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
      ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
      codec.write(record, out);
      Files.write(temp, out.toByteArray());
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
