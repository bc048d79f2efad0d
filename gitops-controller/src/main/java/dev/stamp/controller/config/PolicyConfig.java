package dev.stamp.controller.config;

import java.nio.file.Path;

/** The organisation's policy file, read by the policy gate; {@code file} is null when none. */
public record PolicyConfig(Path file) {

  /** No organisation policy: the default rules only. */
  public static final PolicyConfig NONE = new PolicyConfig(null);
}
