package dev.stamp.cli;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.container.ContainerRuntime;
import java.util.List;
import sun.misc.Signal;

/** Docker's sig-proxy: signals sent to a foreground {@code stamp run} go to the container. */
final class SignalProxy {

  private SignalProxy() {}

  static void forward(ContainerRuntime runtime, String id) {
    for (String name : List.of("INT", "TERM", "HUP", "USR2")) {
      Signal.handle(
          new Signal(name),
          signal -> {
            try {
              runtime.kill(id, signal.getNumber());
            } catch (HostRuntimeException e) {
              // already exited: the exit is on its way to the waiting thread
            }
          });
    }
  }
}
