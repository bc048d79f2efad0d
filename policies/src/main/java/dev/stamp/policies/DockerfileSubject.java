package dev.stamp.policies;

import java.util.Objects;
import java.util.Optional;

/**
 * A Dockerfile to check: its path as findings should show it (repository-relative when it comes
 * from a GitOps repository), its text, and the app and service that build from it, if known.
 */
public record DockerfileSubject(
    String file, String text, Optional<String> app, Optional<String> service) implements Subject {

  public DockerfileSubject {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(text, "text");
    app = app == null ? Optional.empty() : app;
    service = service == null ? Optional.empty() : service;
  }

  public static DockerfileSubject of(String file, String text) {
    return new DockerfileSubject(file, text, Optional.empty(), Optional.empty());
  }
}
