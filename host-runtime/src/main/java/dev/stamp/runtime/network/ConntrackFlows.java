package dev.stamp.runtime.network;

import dev.stamp.runtime.HostRuntimeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Deletes the kernel's connection-tracking entries of an address that no longer belongs to a
 * container (the recovery pass, after a killed process left a container's network behind): flows
 * from it, to it, and DNATed to it (reply source). Without this, a later container that gets the
 * same address from the pool could inherit NAT bindings and state of flows it never made. Uses the
 * {@code conntrack} tool (bin/setup installs it); where it is missing there is nothing to do but
 * wait for the entries to time out, which the message says.
 */
final class ConntrackFlows {
  private static final List<Path> TOOL =
      List.of(Path.of("/usr/sbin/conntrack"), Path.of("/sbin/conntrack"));

  private ConntrackFlows() {}

  /** Deletes every IPv4 flow from, to or DNATed to {@code address}. */
  static void forget(String address) throws HostRuntimeException {
    if (Ipv4.parse(address).isEmpty()) { // never hand the tool anything but an address
      throw new HostRuntimeException(
          HostRuntimeException.Kind.BAD_INPUT,
          "forget tracked flows: not an IPv4 address: " + address);
    }
    Path tool = TOOL.stream().filter(Files::isExecutable).findFirst().orElse(null);
    if (tool == null) {
      throw HostRuntimeException.failed(
          "forget the tracked flows of "
              + address
              + ": no conntrack tool (install the conntrack package); they time out by themselves");
    }
    for (String match : List.of("--orig-src", "--orig-dst", "--reply-src")) {
      delete(tool, match, address);
    }
  }

  private static void delete(Path tool, String match, String address) throws HostRuntimeException {
    String action = "delete tracked flows " + match + " " + address + " with " + tool;
    try {
      Process p =
          new ProcessBuilder(tool.toString(), "-D", "-f", "ipv4", match, address)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      p.getOutputStream().close();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new HostRuntimeException(
            HostRuntimeException.Kind.FAILED, action + ": no answer in 10 s", null, true);
      }
      // 0: some deleted; 1: none matched (conntrack's way of saying so)
      if (p.exitValue() > 1) {
        throw HostRuntimeException.failed(action + ": exit " + p.exitValue());
      }
    } catch (IOException e) {
      throw HostRuntimeException.failed(action + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw HostRuntimeException.failed(action + ": interrupted", e);
    }
  }
}
