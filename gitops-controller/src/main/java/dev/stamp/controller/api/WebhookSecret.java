package dev.stamp.controller.api;

import java.util.Arrays;
import java.util.Objects;
import java.util.Set;

/**
 * The webhook secret of one watched repository: {@code repository} is the name the controller knows
 * it by (what {@link ControllerOperations#pushed} receives), {@code provider} {@code github},
 * {@code gitlab} or {@code generic}, {@code branch} the one watched ({@code main}). The secret's
 * bytes are copied in and out and never printed.
 */
public record WebhookSecret(String repository, String provider, String branch, byte[] secret) {

  /** The providers {@code /hooks/{provider}} serves. */
  public static final Set<String> PROVIDERS = Set.of("github", "gitlab", "generic");

  public WebhookSecret {
    Objects.requireNonNull(repository, "repository");
    Objects.requireNonNull(branch, "branch");
    if (!PROVIDERS.contains(provider)) {
      throw new IllegalArgumentException(
          "webhook of "
              + repository
              + ": provider must be one of "
              + PROVIDERS
              + ", got "
              + provider);
    }
    if (secret == null || secret.length < 16) {
      throw new IllegalArgumentException(
          "webhook of " + repository + ": the secret needs at least 16 bytes");
    }
    secret = secret.clone();
  }

  @Override
  public byte[] secret() {
    return secret.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WebhookSecret w
        && repository.equals(w.repository)
        && provider.equals(w.provider)
        && branch.equals(w.branch)
        && Arrays.equals(secret, w.secret);
  }

  @Override
  public int hashCode() {
    return Objects.hash(repository, provider, branch);
  }

  @Override
  public String toString() {
    return "WebhookSecret[" + repository + ", " + provider + ", " + branch + ", secret=***]";
  }
}
