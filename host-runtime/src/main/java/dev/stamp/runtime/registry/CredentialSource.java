package dev.stamp.runtime.registry;

import dev.stamp.runtime.HostRuntimeException;
import java.util.Optional;

/** Where credentials for a registry come from (asked only when a registry demands them). */
@FunctionalInterface
public interface CredentialSource {

  /** No credentials anywhere. */
  CredentialSource NONE = registry -> Optional.empty();

  /**
   * Credentials for {@code registry} ({@code host[:port]}, or {@code docker.io}); empty when none
   * are configured. BAD_INPUT when they are kept somewhere Stamp cannot read.
   */
  Optional<Credentials> find(String registry) throws HostRuntimeException;

  /** Where credentials would be configured, for messages ("~/.docker/config.json"). */
  default String describe() {
    return "no credential source";
  }
}
