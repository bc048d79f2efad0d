package dev.stamp.runtime.container;

/**
 * A container's status, always derived from its files and /proc, never cached: {@code created}
 * (never started), {@code running}, {@code exited} (the monitor recorded an exit code), {@code
 * dead} (the process is gone and no exit code was recorded: the monitor was killed).
 */
public enum ContainerStatus {
  CREATED,
  RUNNING,
  EXITED,
  DEAD;

  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
