package dev.stamp.runtime.network;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where a container's network is, once attached: the network namespace file the container's first
 * process joins with setns (empty for {@code none}, where it creates its own, and for {@code
 * host}), its address on the bridge, and the published ports with ephemeral host ports resolved.
 */
public record NetworkAttachment(
    String containerId,
    NetworkMode mode,
    Optional<Path> netnsPath,
    Optional<String> ipAddress,
    Optional<String> gateway,
    List<PortMapping> ports) {}
