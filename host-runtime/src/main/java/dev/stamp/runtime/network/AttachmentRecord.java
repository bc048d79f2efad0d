package dev.stamp.runtime.network;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What Stamp wrote down about one container's bridge attachment, in {@code
 * ROOT/networks/attachments/ID.json}. Written with state {@code attaching} before anything is
 * created (the intent: enough for {@code detach} to undo every step after a kill -9), rewritten
 * with state {@code attached} and the CNI result once the namespace is connected. Read and written
 * by {@link NetworkRecordJson#ATTACHMENT}.
 */
record AttachmentRecord(
    String containerId,
    String network,
    String bridge,
    String subnet,
    String netnsPath,
    List<PortMapping> ports,
    String state,
    String ipAddress,
    String gateway,
    CniResult cniResult) {

  static final String ATTACHING = "attaching";
  static final String ATTACHED = "attached";

  AttachmentRecord {
    ports = List.copyOf(ports);
  }

  static AttachmentRecord intent(
      String containerId, NetworkConfig network, Path netns, List<PortMapping> ports) {
    return new AttachmentRecord(
        containerId,
        network.name(),
        network.bridge(),
        network.subnet(),
        netns.toString(),
        ports,
        ATTACHING,
        null,
        null,
        null);
  }

  AttachmentRecord attached(String ip, String gw, CniResult result) {
    return new AttachmentRecord(
        containerId, network, bridge, subnet, netnsPath, ports, ATTACHED, ip, gw, result);
  }

  boolean complete() {
    return ATTACHED.equals(state);
  }

  NetworkAttachment toAttachment() {
    return new NetworkAttachment(
        containerId,
        new NetworkMode.Bridge(network),
        Optional.of(Path.of(netnsPath)),
        Optional.ofNullable(ipAddress),
        Optional.ofNullable(gateway),
        ports);
  }
}
