package dev.stamp.controller.config;

import java.net.URI;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A host the controller deploys to, through its agent: the agent's URL ({@code https}, plain {@code
 * http} only to loopback), the bearer token the agent expects, an optional CA to trust ({@code
 * caFile}, PEM) and client certificate and key for mutual TLS, and the labels placement constraints
 * match ({@code node.labels.role == web}).
 */
public record HostConfig(
    String name,
    URI agent,
    SecretFile tokenFile,
    Path caFile,
    Path clientCertFile,
    Path clientKeyFile,
    Map<String, String> labels) {

  public HostConfig {
    Names.require(name, "host");
    Objects.requireNonNull(agent, "agent");
    Urls.http(agent.toString(), false);
    Objects.requireNonNull(tokenFile, "host " + name + ": tokenFile");
    if ((clientCertFile == null) != (clientKeyFile == null)) {
      throw new IllegalArgumentException(
          "host " + name + ": clientCertFile and clientKeyFile go together");
    }
    labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
  }

  /** A host with an agent, its token and labels, trusting the JDK's CAs, no client certificate. */
  public static HostConfig of(
      String name, URI agent, SecretFile tokenFile, Map<String, String> labels) {
    return new HostConfig(name, agent, tokenFile, null, null, null, labels);
  }

  /** Whether the controller presents a client certificate to this agent. */
  public boolean mutualTls() {
    return clientCertFile != null;
  }
}
