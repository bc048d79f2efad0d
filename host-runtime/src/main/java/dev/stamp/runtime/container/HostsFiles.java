package dev.stamp.runtime.container;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.network.ContainerNetworkFiles;
import dev.stamp.runtime.network.HostsEntry;
import dev.stamp.runtime.network.NetworkAttachment;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Name resolution between containers of one bridge network, Compose style, without a DNS server:
 * every container's {@code /etc/hosts} lists every other container attached to the same network by
 * its name, its network aliases and its short id, plus the aliases of its own {@code --link}s.
 * {@link #refresh} rewrites the files of a whole network whenever a container joins or leaves.
 *
 * <p>Why files and not a resolver: busybox and musl images resolve through /etc/hosts with no extra
 * process, no port 53 inside each namespace, nothing to keep alive or clean up. Each file is
 * bind-mounted at /etc/hosts, so it is rewritten in place (same inode), never replaced: a rename
 * would leave the container looking at the old file. The new text is written over the old one and
 * the file then cut to length, so a reader never sees an empty file.
 */
final class HostsFiles {

  private static final Map<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

  private final ContainerStore store;
  private final ContainerNetwork network;

  HostsFiles(ContainerStore store, ContainerNetwork network) {
    this.store = store;
    this.network = network;
  }

  /** Rewrites the hosts file of every container attached to the bridge network {@code name}. */
  void refresh(String name) throws HostRuntimeException {
    Path lockFile = store.runtimeDir().resolve("hosts.lock");
    ReentrantLock jvmLock = JVM_LOCKS.computeIfAbsent(lockFile, p -> new ReentrantLock());
    jvmLock.lock();
    try (FileChannel lock = openLock(lockFile);
        var held = lock.lock()) {
      List<Member> members = members(name);
      for (Member member : members) {
        write(member, hostsOf(member, members));
      }
    } catch (IOException e) {
      throw HostRuntimeException.failed(
          "update /etc/hosts of network " + name + ": " + e.getMessage(), e);
    } finally {
      jvmLock.unlock();
    }
  }

  /** A container on the network: its attachment and config. */
  record Member(NetworkAttachment attachment, ContainerRecord config) {

    String address() {
      return attachment.ipAddress().orElseThrow();
    }

    /** What its peers call it: name, network aliases, short id. */
    List<String> names() {
      List<String> names = new ArrayList<>();
      if (config.name() != null) {
        names.add(config.name());
      }
      names.addAll(config.aliases());
      names.add(config.shortId());
      return names;
    }
  }

  private List<Member> members(String name) throws HostRuntimeException {
    List<Member> members = new ArrayList<>();
    for (NetworkAttachment attachment : network.attachments(name)) {
      Optional<ContainerRecord> config = store.config(attachment.containerId());
      if (config.isPresent() && attachment.ipAddress().isPresent()) {
        members.add(new Member(attachment, config.get()));
      }
    }
    return members;
  }

  /** The file of {@code member}: its own names, then its peers, link aliases added to theirs. */
  static String hostsOf(Member member, List<Member> members) {
    Map<String, List<String>> peers = new LinkedHashMap<>();
    for (Member peer : members) {
      if (!peer.attachment().containerId().equals(member.attachment().containerId())) {
        peers.put(peer.config().id(), new ArrayList<>(peer.names()));
      }
    }
    for (ContainerSpec.Link link : member.config().links()) {
      members.stream()
          .filter(m -> link.name().equals(m.config().name()))
          .map(m -> peers.get(m.config().id()))
          .filter(names -> names != null && !names.contains(link.alias()))
          .forEach(names -> names.add(0, link.alias()));
    }
    List<HostsEntry> entries = new ArrayList<>();
    for (Member peer : members) {
      List<String> names = peers.get(peer.config().id());
      if (names != null) {
        entries.add(new HostsEntry(peer.address(), names));
      }
    }
    List<String> own = new ArrayList<>();
    if (member.config().name() != null) {
      own.add(member.config().name());
    }
    own.addAll(member.config().aliases());
    return ContainerNetworkFiles.hosts(
        member.config().hostname(), member.attachment(), own, entries);
  }

  /** Over the old text in place (the bind mount keeps the inode), then cut to the new length. */
  private void write(Member member, String text) throws IOException {
    Path file = store.dir(member.config().id()).resolve("hosts");
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      long position = 0;
      while (buffer.hasRemaining()) {
        position += channel.write(buffer, position);
      }
      channel.truncate(bytes.length);
    } catch (NoSuchFileException e) {
      // the container is being removed: nobody reads its file any more
    }
  }

  private static FileChannel openLock(Path lockFile) throws IOException {
    java.nio.file.Files.createDirectories(lockFile.getParent());
    return FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
  }
}
