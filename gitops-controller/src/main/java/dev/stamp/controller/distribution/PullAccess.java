package dev.stamp.controller.distribution;

import java.util.Objects;
import java.util.Optional;

/**
 * Who may pull from the endpoint: holders of the pull password ({@link #password}), or anyone who
 * can reach a loopback address ({@link #anonymousOnLoopback}, which {@link DistributionServer}
 * refuses to start on any other address).
 */
public final class PullAccess {

  private final PullSecret secret;

  private PullAccess(PullSecret secret) {
    this.secret = secret;
  }

  /** HTTP Basic, user {@value PullSecret#USER}, this password. */
  public static PullAccess password(PullSecret secret) {
    return new PullAccess(Objects.requireNonNull(secret, "pull secret"));
  }

  /** No authentication: only allowed when the endpoint listens on a loopback address. */
  public static PullAccess anonymousOnLoopback() {
    return new PullAccess(null);
  }

  /** The password, empty when anonymous. */
  public Optional<PullSecret> secret() {
    return Optional.ofNullable(secret);
  }

  public boolean anonymous() {
    return secret == null;
  }

  @Override
  public String toString() {
    return anonymous() ? "PullAccess[anonymous, loopback only]" : "PullAccess[basic stamp:****]";
  }
}
