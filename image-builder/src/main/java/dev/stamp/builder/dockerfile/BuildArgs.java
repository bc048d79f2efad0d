package dev.stamp.builder.dockerfile;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code --build-arg} values and the platforms of the build. The automatic platform arguments
 * ({@code TARGETPLATFORM TARGETOS TARGETARCH TARGETVARIANT BUILDPLATFORM BUILDOS BUILDARCH
 * BUILDVARIANT}) are in the global scope: FROM lines see them, stages after {@code ARG NAME}.
 */
public record BuildArgs(Map<String, String> values, String targetPlatform, String buildPlatform) {

  /** Arguments every RUN receives without an ARG line (proxies), never reported as unused. */
  public static final Set<String> PREDEFINED =
      Set.of(
          "HTTP_PROXY",
          "http_proxy",
          "HTTPS_PROXY",
          "https_proxy",
          "FTP_PROXY",
          "ftp_proxy",
          "NO_PROXY",
          "no_proxy",
          "ALL_PROXY",
          "all_proxy");

  public BuildArgs {
    values = Map.copyOf(values);
    validatePlatform(targetPlatform);
    validatePlatform(buildPlatform);
  }

  /** No build arguments, the host's platform. */
  public static BuildArgs none() {
    return of(Map.of());
  }

  public static BuildArgs of(Map<String, String> values) {
    String host = hostPlatform();
    return new BuildArgs(values, host, host);
  }

  public BuildArgs withTargetPlatform(String platform) {
    return new BuildArgs(values, platform, buildPlatform);
  }

  public Optional<String> get(String name) {
    return Optional.ofNullable(values.get(name));
  }

  /** The automatic platform arguments. */
  public Map<String, String> platformArgs() {
    Map<String, String> out = new LinkedHashMap<>();
    put(out, "BUILD", buildPlatform);
    put(out, "TARGET", targetPlatform);
    return out;
  }

  private static void put(Map<String, String> out, String prefix, String platform) {
    String[] p = platform.split("/");
    out.put(prefix + "PLATFORM", platform);
    out.put(prefix + "OS", p[0]);
    out.put(prefix + "ARCH", p[1]);
    out.put(prefix + "VARIANT", p.length > 2 ? p[2] : "");
  }

  private static void validatePlatform(String platform) {
    if (!platform.matches("[a-z0-9_]+/[a-z0-9_]+(/[a-z0-9_]+)?")) {
      throw new IllegalArgumentException("platform \"" + platform + "\" is not os/arch[/variant]");
    }
  }

  static String hostPlatform() {
    String arch = System.getProperty("os.arch", "amd64");
    String goArch =
        switch (arch) {
          case "x86_64", "amd64" -> "amd64";
          case "aarch64", "arm64" -> "arm64";
          case "x86", "i386", "i686" -> "386";
          default -> arch.replaceAll("[^a-z0-9_]", "");
        };
    return "linux/" + goArch;
  }
}
