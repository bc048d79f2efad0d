package dev.stamp.runtime.container;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.linux.Cgroups;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where containers live on disk: {@code ROOT/containers/<64-hex id>/} (config.json, shim.spec,
 * state, exit, log, upper/, work/, rootfs/ ...), names in {@code ROOT/names/<name>} (a file holding
 * the id, created atomically, so a name is taken exactly once), volumes in {@code
 * ROOT/volumes/<name>/_data}.
 */
final class ContainerStore {

  private static final Logger LOG = LoggerFactory.getLogger(ContainerStore.class);

  private final Path containers;
  private final Path names;
  private final Path volumes;
  private final Path runtime;
  private final Path trash;

  /** Configs are immutable once written: kept in memory for this process's later calls. */
  private final Map<String, ContainerRecord> configs = new ConcurrentHashMap<>();

  /**
   * The configs of containers this process retired, by their trash entry's name: the sweep finds
   * their cgroups without parsing config.json again (a short-lived CLI's {@code run --rm} builds no
   * JSON deserializer for it).
   */
  private final Map<String, ContainerRecord> retired = new ConcurrentHashMap<>();

  public ContainerStore(StampRoot root) {
    this.containers = root.path().resolve("containers");
    this.names = root.path().resolve("names");
    this.volumes = root.path().resolve("volumes");
    this.runtime = root.path().resolve("runtime");
    this.trash = containers.resolve(".trash");
  }

  public Path runtimeDir() {
    return runtime;
  }

  /** {@code containers/.trash}: removed containers whose files are not deleted yet. */
  public Path trash() {
    return trash;
  }

  public Path dir(String id) {
    return containers.resolve(id);
  }

  public Path nameFile(String name) {
    return names.resolve(name);
  }

  /** A new container id: 64 hex digits from {@code /dev/urandom}. */
  public static String newId() {
    return dev.stamp.runtime.fs.RandomBytes.hex(32);
  }

  /** Creates the container's directory and its config.json (temp + rename: whole or absent). */
  public void createDir(ContainerRecord config) throws HostRuntimeException {
    Path dir = dir(config.id());
    try {
      // a create is an operation on the root: while it runs, recovery leaves half-made dirs alone
      dev.stamp.runtime.fs.RootOperations.register(containers.getParent());
      Files.createDirectories(containers);
      Files.createDirectory(dir);
      writeConfig(dir, config);
      configs.put(config.id(), config);
    } catch (IOException e) {
      throw HostRuntimeException.failed(
          "create container " + config.shortId() + ": " + e.getMessage(), e);
    }
  }

  private static void writeConfig(Path dir, ContainerRecord config) throws IOException {
    Path tmp = dir.resolve("config.json.tmp");
    ContainerRecordJson.write(config, tmp);
    Files.move(tmp, dir.resolve("config.json"), StandardCopyOption.ATOMIC_MOVE);
  }

  public Optional<ContainerRecord> config(String id) {
    ContainerRecord cached = configs.get(id);
    if (cached != null && Files.isDirectory(dir(id))) {
      return Optional.of(cached);
    }
    try {
      return Optional.of(ContainerRecordJson.read(dir(id).resolve("config.json")));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** Takes {@code name} for {@code id}; CONFLICT when another container has it. */
  public void reserveName(String name, String id) throws HostRuntimeException {
    Path file = nameFile(name);
    try {
      Files.createDirectories(names);
      Path tmp = Files.createTempFile(names, ".name", ".tmp");
      Files.writeString(tmp, id);
      try {
        Files.createLink(file, tmp); // atomic: fails if the name exists
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (FileAlreadyExistsException e) {
      String owner = readName(name).orElse("?");
      throw HostRuntimeException.conflict(
          "container name "
              + name
              + " is already in use by container "
              + owner.substring(0, Math.min(12, owner.length()))
              + ": remove it or pick another name");
    } catch (IOException e) {
      throw HostRuntimeException.failed("reserve container name " + name + ": " + e, e);
    }
  }

  public Optional<String> readName(String name) {
    try {
      return Optional.of(Files.readString(nameFile(name)).strip());
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** Releases {@code nameFile} if it still names {@code id}. */
  public void releaseName(String nameFile, String id) throws IOException {
    Path file = Path.of(nameFile);
    try {
      if (Files.readString(file).strip().equals(id)) {
        Files.deleteIfExists(file);
      }
    } catch (NoSuchFileException e) {
      // already released
    }
  }

  /** Every container id on disk. */
  public List<String> ids() {
    List<String> ids = new ArrayList<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(containers)) {
      for (Path d : dirs) {
        String n = d.getFileName().toString();
        if (n.matches("[0-9a-f]{64}")) {
          ids.add(n);
        }
      }
    } catch (NoSuchFileException e) {
      return ids;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return ids;
  }

  /** A full id from a name, an id or a unique id prefix (as docker accepts). */
  public String resolve(String ref) throws HostRuntimeException {
    if (ref.length() == 64 && ref.matches("[0-9a-f]{64}") && Files.isDirectory(dir(ref))) {
      return ref;
    }
    Optional<String> byName =
        ref.matches("[a-zA-Z0-9][a-zA-Z0-9_.-]*") ? readName(ref) : Optional.empty();
    if (byName.isPresent() && Files.isDirectory(dir(byName.get()))) {
      return byName.get();
    }
    if (ref.matches("[0-9a-f]{1,64}")) {
      List<String> matches = ids().stream().filter(id -> id.startsWith(ref)).toList();
      if (matches.size() == 1) {
        return matches.get(0);
      }
      if (matches.size() > 1) {
        throw HostRuntimeException.badInput(
            "container " + ref + ": ambiguous, " + matches.size() + " containers match");
      }
    }
    throw HostRuntimeException.notFound("no such container: " + ref);
  }

  /** The data directory of a named volume, created on first use. */
  public Path volume(String name) throws HostRuntimeException {
    Path data = volumes.resolve(name).resolve("_data");
    try {
      return Files.createDirectories(data);
    } catch (IOException e) {
      throw HostRuntimeException.failed("create volume " + name + ": " + e, e);
    }
  }

  /**
   * Takes the container's directory out of the store in one step (a rename into {@code
   * containers/.trash}); {@link #deleteTrash} then deletes it. A kill -9 in between only leaves
   * trash, which the next removal sweeps.
   */
  public void retire(String id) throws IOException {
    ContainerRecord config = configs.remove(id);
    Path dir = dir(id);
    if (!Files.exists(dir)) {
      return;
    }
    Files.createDirectories(trash);
    String entry = id + "-" + System.nanoTime();
    if (config != null) {
      retired.put(entry, config);
    }
    try {
      Files.move(dir, trash.resolve(entry), StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      retired.remove(entry);
      throw e;
    }
  }

  /**
   * Deletes everything in the trash, without following symlinks; tolerates concurrent sweeps. A
   * retired container's cgroups (listed in its config.json's intent, emptied by the remover) are
   * removed first; an entry whose cgroups cannot be removed yet stays for the next sweep.
   */
  public void deleteTrash() {
    if (!Files.isDirectory(trash)) {
      return;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(trash)) {
      for (Path entry : entries) {
        if (removeCgroups(entry)) {
          deleteTree(entry);
          retired.remove(entry.getFileName().toString());
        }
      }
    } catch (IOException e) {
      // best effort: the next sweep retries
    }
  }

  private boolean removeCgroups(Path entry) {
    ContainerRecord known = retired.get(entry.getFileName().toString());
    Path config = entry.resolve("config.json");
    if (known == null && !Files.exists(config)) {
      return true;
    }
    try {
      ContainerRecord c = known != null ? known : ContainerRecordJson.read(config);
      Cgroups.remove(c.intent().cgroupPaths());
      return true;
    } catch (IOException e) {
      return true; // a config that cannot be read names no cgroups
    } catch (HostRuntimeException e) {
      LOG.warn("remove retired container {}: {}", entry.getFileName(), e.getMessage());
      return false;
    }
  }

  private void deleteTree(Path top) {
    try {
      Files.walkFileTree(
          top,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.deleteIfExists(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) {
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
              try {
                Files.deleteIfExists(d);
              } catch (java.nio.file.DirectoryNotEmptyException e) {
                // another sweep is adding or deleting here; the next sweep finishes it
              }
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      // best effort: the next sweep retries
    }
  }
}
