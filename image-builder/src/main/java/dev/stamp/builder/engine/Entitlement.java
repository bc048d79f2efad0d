package dev.stamp.builder.engine;

import dev.stamp.builder.BuildException;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * What a Dockerfile may do to the build host only when the builder's caller allows it (BuildKit's
 * {@code --allow}). A build request allows none by default: the GitOps controller builds
 * Dockerfiles it does not trust.
 */
public enum Entitlement {
  /** {@code RUN --network=host}: the step shares the build host's network namespace. */
  NETWORK_HOST("network.host");

  private final String text;

  Entitlement(String text) {
    this.text = text;
  }

  /** The name {@code stamp build --allow} takes ({@code network.host}). */
  public String text() {
    return text;
  }

  /** The entitlement {@code text} names; BAD_INPUT listing the known ones otherwise. */
  public static Entitlement parse(String text) throws BuildException {
    for (Entitlement e : values()) {
      if (e.text.equals(text)) {
        return e;
      }
    }
    throw BuildException.badInput(
        "--allow "
            + text
            + ": unknown entitlement (known: "
            + Arrays.stream(values()).map(Entitlement::text).collect(Collectors.joining(", "))
            + ")");
  }

  @Override
  public String toString() {
    return text;
  }
}
