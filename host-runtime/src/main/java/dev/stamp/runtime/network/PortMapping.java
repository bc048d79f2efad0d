package dev.stamp.runtime.network;

/**
 * One published port ({@code -p [HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTO]}). {@code hostPort} 0
 * means "pick an ephemeral port" (resolved when the container is attached); {@code hostIp}
 * "0.0.0.0" means every host address.
 */
public record PortMapping(String hostIp, int hostPort, int containerPort, String protocol) {}
