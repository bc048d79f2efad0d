package dev.stamp.runtime.image;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/** The platform an index entry is for ({@code linux/amd64}, {@code linux/arm64/v8}). */
@JsonPropertyOrder({"architecture", "os", "os.version", "os.features", "variant"})
public record Platform(
    String architecture,
    String os,
    @JsonProperty("os.version") String osVersion,
    @JsonProperty("os.features") List<String> osFeatures,
    String variant) {

  public Platform {
    osFeatures = Values.copy(osFeatures);
  }

  public static Platform of(String os, String architecture) {
    return new Platform(architecture, os, null, null, null);
  }

  /** The platform of this JVM's host, in Go's names ({@code linux/amd64}). */
  public static Platform host() {
    String arch =
        switch (System.getProperty("os.arch")) {
          case "amd64", "x86_64" -> "amd64";
          case "aarch64" -> "arm64";
          default -> System.getProperty("os.arch");
        };
    return of("linux", arch);
  }

  /** Whether os and architecture match (variant only when both name one). */
  public boolean matches(Platform other) {
    return os.equals(other.os)
        && architecture.equals(other.architecture)
        && (variant == null || other.variant == null || variant.equals(other.variant));
  }

  @Override
  public String toString() {
    return os + "/" + architecture + (variant == null ? "" : "/" + variant);
  }
}
