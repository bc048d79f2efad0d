package dev.stamp.runtime.seccomp;

/**
 * Which seccomp filter a container's processes run under: Docker's default profile (the default),
 * none ({@code --security-opt seccomp=unconfined}), or a profile the user gave ({@code
 * --security-opt seccomp=FILE}).
 */
public sealed interface SeccompPolicy
    permits SeccompPolicy.Default, SeccompPolicy.Unconfined, SeccompPolicy.Custom {

  SeccompPolicy DEFAULT = new Default();
  SeccompPolicy UNCONFINED = new Unconfined();

  /** Docker's default profile, compiled for the container's capabilities. */
  record Default() implements SeccompPolicy {}

  /** No filter at all. */
  record Unconfined() implements SeccompPolicy {}

  /** A profile of the user's, already checked. */
  record Custom(SeccompProfile profile) implements SeccompPolicy {}

  /**
   * {@code --security-opt}'s words: {@code default}, {@code unconfined}, or the profile's source.
   */
  default String describe() {
    if (this instanceof Custom c) {
      return c.profile().source();
    }
    return this instanceof Unconfined ? "unconfined" : "default";
  }
}
