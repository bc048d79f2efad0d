package dev.stamp.controller.rollout;

import dev.stamp.controller.ControllerException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How an app's service is named on an agent: {@code APP.SERVICE} ({@code shop.web}). App names
 * never hold a dot, so the first dot splits a name unambiguously, and every name of an app starts
 * with {@code APP.}: a rollout touches only those, never another app's services on the same host.
 */
public final class AgentNames {

  /** The agent's name pattern ({@code PUT /v1/services/{name}}). */
  public static final Pattern AGENT_NAME = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,62}");

  /** An app name: Compose's project-name rule ({@code [a-z0-9][a-z0-9_-]*}), no dot. */
  public static final Pattern APP_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]*");

  private AgentNames() {}

  /**
   * {@code app.service}; BAD_INPUT when the app name is not {@link #APP_NAME}, the service name has
   * upper-case letters or other characters the agent refuses, or the whole is over 63 characters.
   */
  public static String of(String app, String service) throws ControllerException {
    checkApp(app);
    String name = app + "." + service;
    if (service == null || service.isEmpty() || !AGENT_NAME.matcher(name).matches()) {
      throw ControllerException.badInput(
          "app "
              + app
              + ", service "
              + service
              + ": the agent name "
              + name
              + " must match [a-z0-9][a-z0-9_.-]{0,62} (lower-case service names, at most "
              + (62 - app.length())
              + " characters)");
    }
    return name;
  }

  /** Whether {@code agentName} is one of {@code app}'s services. */
  public static boolean isOf(String app, String agentName) {
    return agentName.startsWith(app + ".") && agentName.length() > app.length() + 1;
  }

  /** The service part of {@code agentName} when it is one of {@code app}'s services. */
  public static Optional<String> serviceOf(String app, String agentName) {
    return isOf(app, agentName)
        ? Optional.of(agentName.substring(app.length() + 1))
        : Optional.empty();
  }

  static void checkApp(String app) throws ControllerException {
    if (app == null || !APP_NAME.matcher(app).matches() || app.length() > 61) {
      throw ControllerException.badInput(
          "app name: expected [a-z0-9][a-z0-9_-]* of at most 61 characters, got " + app);
    }
  }
}
