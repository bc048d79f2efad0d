package dev.stamp.runtime.container;

import java.util.Optional;

/** One container as {@code ps} and {@code inspect} show it: its config (if readable) and state. */
public record ContainerInfo(String id, Optional<ContainerRecord> config, ContainerState state) {

  public String shortId() {
    return id.substring(0, 12);
  }

  /** "Up", "Exited (137)", "Created", "Starting", "Dead", as in docker ps. */
  public String statusText() {
    return switch (state.status()) {
      case CREATED -> "Created";
      case STARTING -> "Starting";
      case RUNNING -> "Up";
      case EXITED -> "Exited (" + state.exitCode().map(String::valueOf).orElse("?") + ")";
      case DEAD -> "Dead";
      case REMOVED -> "Removed";
    };
  }
}
