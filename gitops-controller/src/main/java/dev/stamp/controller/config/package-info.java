/**
 * The controller's configuration file, {@code controller.yaml} (kept outside any GitOps
 * repository), as immutable, validated values.
 *
 * <p>Public: {@link dev.stamp.controller.config.ControllerConfig} ({@code load}, {@code parse},
 * {@code embeddedDefault}) and its parts: {@link dev.stamp.controller.config.ApiConfig}, {@link
 * dev.stamp.controller.config.DatabaseConfig}, {@link dev.stamp.controller.config.RepositoryConfig}
 * (with {@link dev.stamp.controller.config.RepositoryCredentials}, {@link
 * dev.stamp.controller.config.WebhookConfig} and {@link dev.stamp.controller.config.SyncWindow}),
 * {@link dev.stamp.controller.config.HostConfig}, {@link dev.stamp.controller.config.ImagesConfig},
 * {@link dev.stamp.controller.config.PolicyConfig}, {@link
 * dev.stamp.controller.config.NotificationConfig}, {@link dev.stamp.controller.config.TlsConfig},
 * {@link dev.stamp.controller.config.HostPort}; {@link dev.stamp.controller.config.SecretFile} (a
 * secret read on demand from an owner-only file) and {@link
 * dev.stamp.controller.config.ConfigException} (every problem of a bad file, BAD_INPUT).
 *
 * <p>A load runs {@link dev.stamp.controller.yaml.YamlReader} (positions), then the package-private
 * {@code ConfigReader} (and {@code RepositoryReader}), section by section over {@code Fields}
 * (typed reads that record an error with line, column and field path and go on), {@code Urls},
 * {@code Names} and {@code Durations}. A record is built only from a section without errors; the
 * records' constructors check their own invariants again (IllegalArgumentException) for values
 * built in code.
 *
 * <p>Unknown keys are warnings ({@link dev.stamp.controller.config.ControllerConfig#warnings()});
 * keys starting with {@code x-} are silent, for YAML anchors. No secret is read while loading.
 */
package dev.stamp.controller.config;
