package dev.stamp.runtime.network;

import dev.stamp.runtime.HostRuntimeException;
import java.util.ArrayList;
import java.util.List;

/**
 * One published port ({@code -p [HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTO]}). {@code hostPort} 0
 * means "pick an ephemeral port" (resolved when the container is attached); {@code hostIp}
 * "0.0.0.0" means every host address.
 */
public record PortMapping(String hostIp, int hostPort, int containerPort, String protocol) {

  public static final String ANY_HOST_IP = "0.0.0.0";
  public static final int MAX_PORT = 65535;

  private static final String EXPECTED =
      "expected [HOST_IP:][HOST_PORT:]CONTAINER_PORT[/tcp|/udp], e.g. 8080:80";

  /** A validated mapping; {@code hostPort} 0 asks for an ephemeral port. */
  public static PortMapping of(String hostIp, int hostPort, int containerPort, String protocol)
      throws HostRuntimeException {
    PortMapping mapping = new PortMapping(hostIp, hostPort, containerPort, protocol);
    String problem = null;
    if (hostIp == null || !Ipv4.isAddress(hostIp)) {
      problem = "host IP \"" + hostIp + "\" is not an IPv4 address";
    } else if (hostPort < 0 || hostPort > MAX_PORT) {
      problem = "host port " + hostPort + " is out of range (1-65535, or 0 for any free port)";
    } else if (containerPort < 1 || containerPort > MAX_PORT) {
      problem = "container port " + containerPort + " is out of range (1-65535)";
    } else if (!"tcp".equals(protocol) && !"udp".equals(protocol)) {
      problem = "protocol \"" + protocol + "\" is not supported (expected tcp or udp)";
    }
    if (problem != null) {
      throw HostRuntimeException.badInput("port mapping " + mapping.describe() + ": " + problem);
    }
    return mapping;
  }

  /** {@code HOST_PORT -> CONTAINER_PORT} over TCP on every host address. */
  public static PortMapping tcp(int hostPort, int containerPort) throws HostRuntimeException {
    return of(ANY_HOST_IP, hostPort, containerPort, "tcp");
  }

  /**
   * Parses one {@code -p} value naming a single port: {@code CTR}, {@code HOST:CTR}, {@code
   * HOST_IP:HOST:CTR} or {@code HOST_IP::CTR}, each optionally followed by {@code /tcp} or {@code
   * /udp}. A missing or 0 host port means "any free port". Use {@link #parseAll} for ranges.
   */
  public static PortMapping parse(String spec) throws HostRuntimeException {
    return parse("-p", spec);
  }

  /** {@link #parse(String)}, a problem reported as {@code PATH SPEC: reason}. */
  public static PortMapping parse(String path, String spec) throws HostRuntimeException {
    List<PortMapping> all = parseAll(path, spec);
    if (all.size() != 1) {
      throw bad(path, spec, "expected a single port, not a range");
    }
    return all.get(0);
  }

  /**
   * Parses one {@code -p} value, ranges included: {@code 8000-8002:80-82} publishes three ports,
   * {@code 80-82} publishes three container ports on free host ports.
   */
  public static List<PortMapping> parseAll(String spec) throws HostRuntimeException {
    return parseAll("-p", spec);
  }

  /**
   * {@link #parseAll(String)}, a problem reported as {@code PATH SPEC: reason} ({@code PATH}: the
   * caller's name for the field, {@code -p} or {@code services.web.ports[0]}).
   */
  public static List<PortMapping> parseAll(String path, String spec) throws HostRuntimeException {
    if (spec == null || spec.isBlank()) {
      throw bad(path, "\"" + (spec == null ? "" : spec) + "\"", EXPECTED);
    }
    if (spec.contains("[")) {
      throw bad(path, spec, "IPv6 host addresses are not supported");
    }
    String protocol = "tcp";
    String ports = spec;
    int slash = spec.lastIndexOf('/');
    if (slash >= 0) {
      protocol = spec.substring(slash + 1);
      ports = spec.substring(0, slash);
      if (!protocol.equals("tcp") && !protocol.equals("udp")) {
        throw bad(
            path, spec, "protocol \"" + protocol + "\" is not supported (expected tcp or udp)");
      }
    }
    String[] parts = ports.split(":", -1);
    String hostIp = ANY_HOST_IP;
    String hostPart = "";
    String containerPart;
    switch (parts.length) {
      case 1:
        containerPart = parts[0];
        break;
      case 2:
        hostPart = parts[0];
        containerPart = parts[1];
        if (hostPart.isEmpty()) {
          throw bad(path, spec, EXPECTED);
        }
        break;
      case 3:
        hostIp = parts[0];
        hostPart = parts[1];
        containerPart = parts[2];
        if (!Ipv4.isAddress(hostIp)) {
          throw bad(path, spec, "host IP \"" + hostIp + "\" is not an IPv4 address");
        }
        break;
      default:
        throw bad(path, spec, EXPECTED);
    }
    int[] container = range(path, spec, "container", containerPart, 1);
    int[] host = hostPart.isEmpty() ? new int[] {0, 0} : range(path, spec, "host", hostPart, 0);
    return expand(path, spec, hostIp, host, container, protocol);
  }

  private static List<PortMapping> expand(
      String path, String spec, String hostIp, int[] host, int[] container, String protocol)
      throws HostRuntimeException {
    int count = container[1] - container[0] + 1;
    boolean ephemeral = host[0] == 0 && host[1] == 0;
    if (!ephemeral && host[1] - host[0] + 1 != count) {
      throw bad(
          path,
          spec,
          "host ports "
              + span(host)
              + " and container ports "
              + span(container)
              + " differ in count");
    }
    List<PortMapping> mappings = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      mappings.add(of(hostIp, ephemeral ? 0 : host[0] + i, container[0] + i, protocol));
    }
    return List.copyOf(mappings);
  }

  /** {@code N} or {@code N-M} as {first, last}; ports below {@code min} are out of range. */
  private static int[] range(String path, String spec, String which, String text, int min)
      throws HostRuntimeException {
    int dash = text.indexOf('-');
    int first = port(path, spec, which, dash < 0 ? text : text.substring(0, dash), min);
    int last = dash < 0 ? first : port(path, spec, which, text.substring(dash + 1), min);
    if (last < first) {
      throw bad(path, spec, which + " port range " + text + " ends before it starts");
    }
    if (first == 0 && last != 0) {
      throw bad(path, spec, which + " port range " + text + " cannot start at 0");
    }
    return new int[] {first, last};
  }

  private static int port(String path, String spec, String which, String text, int min)
      throws HostRuntimeException {
    if (text.isEmpty() || text.length() > 9 || !text.chars().allMatch(Character::isDigit)) {
      throw bad(path, spec, which + " port \"" + text + "\" is not a number");
    }
    int port = Integer.parseInt(text);
    if (port < min || port > MAX_PORT) {
      throw bad(path, spec, which + " port " + port + " is out of range (1-65535)");
    }
    return port;
  }

  private static String span(int[] range) {
    return range[0] == range[1] ? String.valueOf(range[0]) : range[0] + "-" + range[1];
  }

  private static HostRuntimeException bad(String path, String spec, String problem) {
    return HostRuntimeException.badInput(path + " " + spec + ": " + problem);
  }

  /** Whether this mapping needs a host port to be picked when the container is attached. */
  public boolean ephemeral() {
    return hostPort == 0;
  }

  /** The same mapping on another host port (an ephemeral port once resolved). */
  public PortMapping withHostPort(int port) {
    return new PortMapping(hostIp, port, containerPort, protocol);
  }

  /** Whether both mappings would claim the same host port (same protocol, overlapping address). */
  public boolean clashesWith(PortMapping other) {
    return hostPort == other.hostPort
        && protocol.equals(other.protocol)
        && (hostIp.equals(other.hostIp)
            || hostIp.equals(ANY_HOST_IP)
            || other.hostIp.equals(ANY_HOST_IP));
  }

  /** {@code 0.0.0.0:8080->80/tcp}, as {@code stamp ps} shows it. */
  public String describe() {
    return hostIp + ":" + hostPort + "->" + containerPort + "/" + protocol;
  }
}
