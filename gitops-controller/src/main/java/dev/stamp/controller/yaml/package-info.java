/**
 * YAML with positions, shared by the loaders of Stamp's YAML files (Compose apps, the controller's
 * configuration): {@link dev.stamp.controller.yaml.YamlReader} composes text into {@link
 * dev.stamp.controller.yaml.YamlNode}s (YAML 1.2 core-schema scalars, line and column kept), and
 * {@link dev.stamp.controller.yaml.Problems} collects every {@link
 * dev.stamp.controller.yaml.YamlProblem} of one load so all are reported at once.
 */
package dev.stamp.controller.yaml;
