package dev.stamp.controller.config;

import java.util.Objects;

/**
 * The controller's REST API: where it listens, the bearer token clients present ({@code
 * tokenFile}), and optional TLS ({@code tls}, null for plain HTTP). Without a token the API is open
 * to anyone who reaches it, so that needs both a loopback {@code listen} and an explicit {@code
 * insecure: true}.
 */
public record ApiConfig(HostPort listen, SecretFile tokenFile, boolean insecure, TlsConfig tls) {

  /** Where the API listens when the file does not say. */
  public static final HostPort DEFAULT_LISTEN = new HostPort("127.0.0.1", 7700);

  public ApiConfig {
    Objects.requireNonNull(listen, "listen");
    if (insecure && tokenFile != null) {
      throw new IllegalArgumentException("api: insecure: true and a tokenFile contradict");
    }
    if (insecure && !listen.isLoopback()) {
      throw new IllegalArgumentException(
          "api: insecure: true is only allowed on a loopback address, not " + listen);
    }
    if (!insecure && tokenFile == null) {
      throw new IllegalArgumentException("api: a tokenFile is required");
    }
  }
}
