package dev.stamp.runtime.network;

import dev.stamp.runtime.HostRuntimeException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * An attach in two halves ({@link NetworkManager#prepare}): the namespace file exists, with the
 * intent recorded, so a container's first process can join it now; {@link #connect} then runs the
 * CNI plugins, on any thread, while that process builds its root filesystem. Whoever prepared it
 * either connects it or detaches the container; a failed connect has undone everything itself.
 */
public final class PendingAttachment {

  /** The second half; undoes the whole attach when it fails. */
  @FunctionalInterface
  interface Connector {
    NetworkAttachment connect() throws HostRuntimeException;
  }

  private final Optional<Path> netnsPath;
  private final Connector connector;
  private final boolean connects;

  /** A bridge's: the namespace file exists, the CNI plugins are still to run. */
  PendingAttachment(Path netnsPath, Connector connector) {
    this(Optional.of(netnsPath), connector, true);
  }

  private PendingAttachment(Optional<Path> netnsPath, Connector connector, boolean connects) {
    this.netnsPath = netnsPath;
    this.connector = connector;
    this.connects = connects;
  }

  /** An attach with nothing left to do ({@code none}, {@code host}, or attached already). */
  public static PendingAttachment of(NetworkAttachment done) {
    return new PendingAttachment(done.netnsPath(), () -> done, false);
  }

  /** The namespace file the container's first process joins (empty: none to join). */
  public Optional<Path> netnsPath() {
    return netnsPath;
  }

  /**
   * Whether {@link #connect} still has work to do (a bridge: the CNI plugins), worth a thread of
   * its own while the container is being built.
   */
  public boolean connects() {
    return connects;
  }

  /**
   * Connects the namespace (CNI ADD, the record completed) and returns the attachment. Failures
   * leave nothing behind, as {@link NetworkManager#attach}'s.
   */
  public NetworkAttachment connect() throws HostRuntimeException {
    return connector.connect();
  }
}
