package dev.stamp.runtime.network;

import dev.stamp.runtime.HostRuntimeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The contents of a container's {@code /etc/hosts} and {@code /etc/resolv.conf}, from its network
 * attachment. The runtime writes them into the container; this class only produces text.
 */
public final class ContainerNetworkFiles {

  /** Where the hostname points when the container has no address of its own (Debian's habit). */
  public static final String NO_ADDRESS_HOSTNAME_IP = "127.0.1.1";

  static final Path HOST_RESOLV_CONF = Path.of("/etc/resolv.conf");

  /** systemd-resolved's list of the real upstream servers, behind its 127.0.0.53 stub. */
  static final Path RESOLVED_UPSTREAM = Path.of("/run/systemd/resolve/resolv.conf");

  private ContainerNetworkFiles() {}

  /**
   * {@code /etc/hosts}: the localhost entries, then the container's hostname on its bridge address
   * (on 127.0.1.1 without one).
   */
  public static String hosts(String hostname, NetworkAttachment attachment) {
    String ip = attachment.ipAddress().orElse(NO_ADDRESS_HOSTNAME_IP);
    return "127.0.0.1\tlocalhost\n"
        + "::1\tlocalhost ip6-localhost ip6-loopback\n"
        + "fe00::0\tip6-localnet\n"
        + "ff00::0\tip6-mcastprefix\n"
        + "ff02::1\tip6-allnodes\n"
        + "ff02::2\tip6-allrouters\n"
        + ip
        + "\t"
        + hostname
        + "\n";
  }

  /**
   * {@code /etc/hosts} of a container on a bridge network with others: {@link #hosts(String,
   * NetworkAttachment)} with the container's own names (its name, its network aliases) on its own
   * line, then one line per peer on the same network, so a name resolves without a DNS server.
   */
  public static String hosts(
      String hostname,
      NetworkAttachment attachment,
      List<String> ownNames,
      List<HostsEntry> peers) {
    StringBuilder out = new StringBuilder(hosts(hostname, attachment));
    out.setLength(out.length() - 1);
    for (String name : ownNames) {
      if (!name.equals(hostname)) {
        out.append(' ').append(name);
      }
    }
    out.append('\n');
    for (HostsEntry peer : peers) {
      if (!peer.names().isEmpty()) {
        out.append(peer.address()).append('\t').append(String.join(" ", peer.names())).append('\n');
      }
    }
    return out.toString();
  }

  /**
   * {@code /etc/resolv.conf} from the host's: verbatim for {@code host}; otherwise without the
   * nameservers a container cannot reach (loopback ones for a bridge, all of them for {@code
   * none}). Search domains and options stay.
   */
  public static String resolvConf(NetworkAttachment attachment, String hostResolvConf) {
    if (attachment.mode() instanceof NetworkMode.Host) {
      return hostResolvConf.endsWith("\n") || hostResolvConf.isEmpty()
          ? hostResolvConf
          : hostResolvConf + "\n";
    }
    boolean none = attachment.mode() instanceof NetworkMode.None;
    List<String> kept = new ArrayList<>();
    List<String> dropped = new ArrayList<>();
    for (String line : hostResolvConf.split("\n", -1)) {
      String[] words = line.strip().split("\\s+");
      boolean nameserver = words.length >= 2 && words[0].equals("nameserver");
      if (nameserver && (none || isLoopback(words[1]))) {
        dropped.add(words[1]);
      } else if (!line.isBlank()) {
        kept.add(line);
      }
    }
    StringBuilder out = new StringBuilder();
    if (!dropped.isEmpty()) {
      out.append("# host nameservers ")
          .append(String.join(", ", dropped))
          .append(none ? " left out: --network none" : " left out: unreachable from a container")
          .append('\n');
    }
    kept.forEach(line -> out.append(line).append('\n'));
    return out.toString();
  }

  /**
   * {@link #resolvConf(NetworkAttachment, String)} from this host's {@code /etc/resolv.conf}, or
   * from systemd-resolved's upstream list when the host points at its 127.0.0.53 stub and the
   * container cannot reach it.
   */
  public static String resolvConf(NetworkAttachment attachment) throws HostRuntimeException {
    String host = read(HOST_RESOLV_CONF);
    if (!(attachment.mode() instanceof NetworkMode.Host)
        && host.contains("127.0.0.53")
        && Files.isReadable(RESOLVED_UPSTREAM)) {
      host = read(RESOLVED_UPSTREAM);
    }
    return resolvConf(attachment, host);
  }

  private static boolean isLoopback(String address) {
    return address.startsWith("127.") || address.equals("::1");
  }

  private static String read(Path file) throws HostRuntimeException {
    try {
      return Files.exists(file) ? Files.readString(file) : "";
    } catch (IOException e) {
      throw HostRuntimeException.failed("read " + file + ": " + e.getMessage(), e);
    }
  }
}
