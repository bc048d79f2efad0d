package dev.stamp.controller.config;

import dev.stamp.controller.ControllerException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An address to listen on or to reach: {@code host:port}, {@code [ipv6]:port}; port 0 (listen only)
 * means any free port.
 */
public record HostPort(String host, int port) {

  private static final Pattern FORM =
      Pattern.compile("(?:\\[([0-9A-Fa-f:.]+)]|([A-Za-z0-9._-]+)):([0-9]{1,5})");

  public HostPort {
    if (host == null || host.isEmpty()) {
      throw new IllegalArgumentException("a host:port needs a host");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " is outside 0-65535");
    }
  }

  /**
   * {@code host:port} or {@code [::1]:port}.
   *
   * @throws ControllerException BAD_INPUT quoting the text
   */
  public static HostPort parse(String text) throws ControllerException {
    Matcher m = FORM.matcher(text == null ? "" : text);
    if (m.matches()) {
      int port = Integer.parseInt(m.group(3));
      if (port <= 65535) {
        return new HostPort(m.group(1) != null ? m.group(1) : m.group(2), port);
      }
    }
    throw ControllerException.badInput("expected host:port (port 0-65535), got \"" + text + "\"");
  }

  /** Whether the host is a loopback name or address (no DNS lookup: {@code localhost} only). */
  public boolean isLoopback() {
    return isLoopback(host);
  }

  /**
   * {@code localhost}, {@code 127.x.x.x} or {@code ::1} in any of its spellings; no other name
   * ({@code 127.0.0.1.nip.io}, {@code foo.localhost}) since what it resolves to is not ours to
   * know.
   */
  public static boolean isLoopback(String host) {
    if (host == null) {
      return false;
    }
    String h = host.toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    if (h.equals("localhost")) {
      return true;
    }
    if (h.matches("127\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}")) {
      return true;
    }
    return h.matches("(0{0,4}:){2,7}0{0,3}1") || h.equals("::1");
  }

  @Override
  public String toString() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
