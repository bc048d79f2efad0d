package dev.stamp.agent.api;

/**
 * One thing wrong with a request: the field it is about, as a path into the request body ({@code
 * ports[1].target}, {@code resources.memoryBytes}), and what was expected.
 */
public record Problem(String field, String message) {

  @Override
  public String toString() {
    return field + ": " + message;
  }
}
