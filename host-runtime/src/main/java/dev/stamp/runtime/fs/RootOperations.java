package dev.stamp.runtime.fs;

import dev.stamp.runtime.linux.ProcessId;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The processes working on a state root. A process that is about to make anything temporary under a
 * root (a build's temp dir, a blob being downloaded, a layer being unpacked) registers first: it
 * creates {@code ROOT/ops/<pid>-<start time>} and holds an fcntl lock on it until it exits (a
 * normal exit deletes the file). The things it makes carry the same {@link #tag()} in their names,
 * so the recovery pass can tell what a live process holds (its lock is held, or {@code /proc} still
 * shows that pid with that start time) from what a killed one left. An op file whose lock is free
 * is the trace of a process that died without cleaning up: it tells the recovery pass that there is
 * something to look for.
 */
public final class RootOperations {

  /** {@code ROOT/ops}. */
  public static final String DIR = "ops";

  /** The root's own lock ({@code ROOT/locks/root.lock}): exclusive during a recovery pass. */
  public static final String ROOT_LOCK = "locks/root.lock";

  private static final Pattern TAG = Pattern.compile("^([1-9][0-9]{0,9})-([0-9]{1,19})(?:-|$)");

  private static final Map<Path, Path> REGISTERED = new ConcurrentHashMap<>();
  private static final List<FileChannel> CHANNELS = new ArrayList<>(); // their locks: held

  private static volatile String self;

  private RootOperations() {}

  /**
   * This process's tag, {@code <pid>-<start time>} (fields 1 and 22 of /proc/self/stat: read
   * directly, as ProcessHandle would start a reaper thread pool on a CLI's warm path).
   */
  public static String tag() {
    String t = self;
    if (t == null) {
      try {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] after = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        t = stat.substring(0, stat.indexOf(' ')) + "-" + after[19];
      } catch (IOException | RuntimeException e) {
        throw new IllegalStateException("read /proc/self/stat: " + e, e);
      }
      self = t;
    }
    return t;
  }

  /** This process's pid, from its {@link #tag()}. */
  private static int selfPid() {
    String t = tag();
    return Integer.parseInt(t.substring(0, t.indexOf('-')));
  }

  /** The process a name starting with a tag ({@code <pid>-<start>} or {@code <pid>-<start>-…}). */
  public static Optional<ProcessId> owner(String name) {
    Matcher m = TAG.matcher(name);
    if (!m.find()) {
      return Optional.empty();
    }
    try {
      return Optional.of(new ProcessId(Integer.parseInt(m.group(1)), Long.parseLong(m.group(2))));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /**
   * Registers this process as working on {@code root} (once per root; held until the process ends)
   * and returns its {@link #tag()} for the names of what it makes there. The op file is written and
   * locked under a temp name ({@code ops/.<tag>.tmp}) and then renamed (the lock stays with the
   * file), so a recovery pass never sees an op file of a live process unlocked.
   */
  public static String register(Path root) throws IOException {
    Path key = root.toAbsolutePath().normalize();
    if (REGISTERED.containsKey(key)) {
      return tag();
    }
    synchronized (REGISTERED) {
      if (!REGISTERED.containsKey(key)) {
        Path dir = Files.createDirectories(key.resolve(DIR));
        Path temp = dir.resolve("." + tag() + ".tmp");
        Path file = dir.resolve(tag());
        // open for this process's lifetime: closing any fd of the file would drop the lock
        FileChannel channel =
            FileChannel.open(
                temp,
                StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
        try {
          // the tag only: a command line may carry secrets
          channel.write(ByteBuffer.wrap((tag() + "\n").getBytes(StandardCharsets.UTF_8)));
          channel.lock();
          Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
          channel.close();
          Files.deleteIfExists(temp);
          throw e;
        }
        if (REGISTERED.isEmpty()) {
          Runtime.getRuntime().addShutdownHook(new Unregister());
        }
        REGISTERED.put(key, file);
        CHANNELS.add(channel);
      }
    }
    return tag();
  }

  /** At exit: this process's op files go (a kill -9 leaves them, unlocked, for recovery). */
  private static final class Unregister extends Thread {
    Unregister() {
      super("stamp-ops-exit");
    }

    @Override
    public void run() {
      for (Path file : REGISTERED.values()) {
        try {
          Files.deleteIfExists(file);
        } catch (IOException e) {
          // the next recovery pass finds it unlocked and removes it
        }
      }
    }
  }

  /**
   * Whether the process named by {@code tag} may still work on {@code root}: it is this process,
   * {@code /proc} shows it alive, or its op file's lock is held (by a process in another pid
   * namespace, say). Only a {@code false} lets recovery touch what carries the tag.
   */
  public static boolean isLive(Path root, ProcessId owner) {
    if (owner.pid() == selfPid()) {
      return (owner.pid() + "-" + owner.startTime()).equals(tag());
    }
    if (owner.isAlive()) {
      return true;
    }
    return lockHeld(root.resolve(DIR).resolve(owner.pid() + "-" + owner.startTime()));
  }

  /**
   * The entries of {@code ROOT/ops} (op files, each naming a process, and {@code .<tag>.tmp} files
   * of registrations under way or killed), this process's own left out.
   */
  public static List<Path> others(Path root) throws IOException {
    List<Path> files = new ArrayList<>();
    String mine = tag();
    String myTemp = "." + mine + ".tmp";
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(root.resolve(DIR))) {
      for (Path e : entries) {
        String name = e.getFileName().toString();
        if (!name.equals(mine) && !name.equals(myTemp)) {
          files.add(e);
        }
      }
    } catch (NoSuchFileException e) {
      return files;
    }
    return files;
  }

  /**
   * Whether another process holds an fcntl lock on {@code file} (false for a missing file). A lock
   * this JVM holds counts as held.
   */
  static boolean lockHeld(Path file) {
    if (file.getFileName().toString().equals(tag())) {
      return true; // this process's own: opening and closing it here would drop its lock
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      FileLock lock = ch.tryLock(0, Long.MAX_VALUE, false);
      if (lock == null) {
        return true;
      }
      lock.release();
      return false;
    } catch (OverlappingFileLockException e) {
      return true;
    } catch (NoSuchFileException e) {
      return false;
    } catch (IOException e) {
      return true; // cannot tell: treat as live, touch nothing
    }
  }
}
