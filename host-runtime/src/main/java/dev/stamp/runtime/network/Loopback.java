package dev.stamp.runtime.network;

import dev.stamp.runtime.HostRuntimeException;

/**
 * Brings up {@code lo} in the calling thread's network namespace: what a {@code --network none}
 * container's first process (or the thread that unshared CLONE_NEWNET for it) needs. Bridged
 * namespaces from {@link NetworkManager#attach} already have it up.
 */
public final class Loopback {

  private Loopback() {}

  public static void bringUp() throws HostRuntimeException {
    String failure = Links.bringUp("lo");
    if (failure != null) {
      throw HostRuntimeException.failed(failure);
    }
  }
}
