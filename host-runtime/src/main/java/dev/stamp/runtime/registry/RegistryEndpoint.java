package dev.stamp.runtime.registry;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.image.ImageReference;
import java.net.URI;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Where a registry answers: {@code scheme://host[:port]}. HTTPS unless the host is on loopback
 * ({@code localhost}, {@code 127.0.0.0/8}, {@code [::1]}) or listed as insecure in Stamp's registry
 * config; then plain HTTP. {@code docker.io} answers at {@code registry-1.docker.io}.
 */
public record RegistryEndpoint(String scheme, String host) {

  private static final Pattern IPV4_LOOPBACK =
      Pattern.compile("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
  private static final Pattern HOST_PORT =
      Pattern.compile("(?:[A-Za-z0-9.-]+|\\[[0-9A-Fa-f:.]+\\])(?::\\d{1,5})?");

  public RegistryEndpoint {
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException("registry scheme must be http or https: " + scheme);
    }
    if (!HOST_PORT.matcher(host).matches()) {
      throw new IllegalArgumentException("registry host must be HOST[:PORT]: " + host);
    }
  }

  /** The endpoint of the registry an image reference names. */
  public static RegistryEndpoint of(String registry, RegistryConfig config) {
    String host = registry.equals(ImageReference.DOCKER_HUB) ? "registry-1.docker.io" : registry;
    boolean plain = isLoopback(host) || config.isInsecure(registry);
    return new RegistryEndpoint(plain ? "http" : "https", host);
  }

  /**
   * A mirror URL from the config ({@code http://127.0.0.1:5000}); plain HTTP only for loopback or
   * insecure hosts. BAD_INPUT naming the URL otherwise.
   */
  static RegistryEndpoint parseMirror(String url, java.util.Set<String> insecure)
      throws HostRuntimeException {
    URI uri;
    try {
      uri = new URI(url);
    } catch (java.net.URISyntaxException e) {
      throw HostRuntimeException.badInput("mirror \"" + url + "\": not a URL: " + e.getReason());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw HostRuntimeException.badInput(
          "mirror \"" + url + "\": expected http://HOST[:PORT] or https://HOST[:PORT]");
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    if (uri.getRawAuthority() == null
        || !(path.isEmpty() || path.equals("/"))
        || uri.getRawQuery() != null
        || uri.getRawUserInfo() != null
        || !HOST_PORT.matcher(uri.getRawAuthority()).matches()) {
      throw HostRuntimeException.badInput(
          "mirror \"" + url + "\": expected SCHEME://HOST[:PORT] without a path or credentials");
    }
    String host = uri.getRawAuthority();
    if (scheme.equals("http") && !isLoopback(host) && !RegistryConfig.listed(insecure, host)) {
      throw HostRuntimeException.badInput(
          "mirror \""
              + url
              + "\": plain http is only used for loopback hosts or hosts listed in \"insecure\"");
    }
    return new RegistryEndpoint(scheme, host);
  }

  /** Whether {@code host} (with or without port) names this machine's loopback interface. */
  public static boolean isLoopback(String host) {
    String name = stripPort(host).toLowerCase(Locale.ROOT);
    return name.equals("localhost")
        || name.equals("[::1]")
        || name.equals("::1")
        || IPV4_LOOPBACK.matcher(name).matches();
  }

  /** {@code host} without its {@code :port}. */
  static String stripPort(String host) {
    if (host.startsWith("[")) {
      int end = host.indexOf(']');
      return end < 0 ? host : host.substring(0, end + 1);
    }
    int colon = host.lastIndexOf(':');
    return colon < 0 ? host : host.substring(0, colon);
  }

  /** {@code scheme://host/v2/} + {@code path}. */
  public URI uri(String pathAndQuery) {
    return URI.create(scheme + "://" + host + "/v2/" + pathAndQuery);
  }

  @Override
  public String toString() {
    return scheme + "://" + host;
  }
}
