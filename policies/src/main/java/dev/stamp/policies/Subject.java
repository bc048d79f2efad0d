package dev.stamp.policies;

import java.util.Optional;

/** Something the engine checks: a Dockerfile, an image, or a deployment spec. */
public sealed interface Subject permits DockerfileSubject, ImageSubject, SpecSubject {

  /** The file (or image reference) findings point at. */
  String file();

  /** The app this subject belongs to, for scoped waivers. */
  Optional<String> app();
}
