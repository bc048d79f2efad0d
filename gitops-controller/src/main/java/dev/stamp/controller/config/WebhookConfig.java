package dev.stamp.controller.config;

import java.util.Locale;
import java.util.Objects;

/**
 * A repository's push webhook: the shared secret its signatures are checked with and the provider
 * whose signature scheme and payload are expected.
 */
public record WebhookConfig(SecretFile secretFile, Provider provider) {

  /**
   * Whose webhooks: GitHub ({@code X-Hub-Signature-256}), GitLab ({@code X-Gitlab-Token}), HMAC.
   */
  public enum Provider {
    GITHUB,
    GITLAB,
    GENERIC;

    /** The name in the configuration file: {@code github}. */
    public String configName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public WebhookConfig {
    Objects.requireNonNull(secretFile, "webhook secretFile");
    Objects.requireNonNull(provider, "provider");
  }
}
