package dev.stamp.runtime.container;

/**
 * One process of a running container, as {@code stamp top} lists it: host pid, user (the name from
 * the container's own {@code /etc/passwd}, else the uid), CPU time used and command line.
 */
public record ContainerProcess(int pid, String user, long cpuNanos, String command) {}
