/**
 * Compose apps: {@code compose.yaml} → {@link dev.stamp.controller.compose.ComposeApp} → the
 * agent's {@code ServiceSpec}.
 *
 * <p>Public: {@link dev.stamp.controller.compose.ComposeLoader} (from a directory, or from bytes
 * and {@link dev.stamp.controller.compose.ComposeLoader.ProjectFiles} for a Git tree), the
 * immutable model ({@link dev.stamp.controller.compose.ComposeApp}, {@link
 * dev.stamp.controller.compose.ComposeService}), {@link dev.stamp.controller.compose.ComposeJson}
 * (the normalized JSON form), {@link dev.stamp.controller.compose.ServiceSpecs} (the mapping) and
 * {@link dev.stamp.controller.compose.ComposeException} / {@link
 * dev.stamp.controller.compose.ComposeProblem}. Package-private steps, in the order a load runs
 * them: {@link dev.stamp.controller.yaml.YamlReader} (shared: nodes with positions, YAML 1.2
 * scalars in {@link dev.stamp.controller.yaml.YamlNode}), {@code DotEnv} and {@code Interpolation},
 * {@code ServiceReader} over {@code Values} (typed reads) and {@code ComposeSyntax} (ports,
 * volumes, durations, sizes, modes, command words).
 */
package dev.stamp.controller.compose;
