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

  /** A profile of the user's, already checked; {@code json} is its text as given. */
  record Custom(SeccompProfile profile, String json) implements SeccompPolicy {}

  /**
   * The user's profile {@code json}, read from {@code source} (named in every problem). BAD_INPUT
   * with the JSON path of each problem.
   */
  public static SeccompPolicy custom(String source, byte[] json)
      throws dev.stamp.runtime.HostRuntimeException {
    return new Custom(
        SeccompProfile.parse(source, json),
        new String(json, java.nio.charset.StandardCharsets.UTF_8));
  }

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
