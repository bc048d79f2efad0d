package dev.stamp.controller.store;

/**
 * One policy finding for a release: the rule, its severity ({@code error}, {@code warning}, ...),
 * where it was found ({@code Dockerfile:3}, {@code services.web.ports[1]}; empty when nowhere in
 * particular), the message, and whether a waiver let it pass.
 */
public record PolicyVerdict(
    String rule, String severity, String location, String message, boolean waived) {

  public PolicyVerdict {
    Values.requireText(rule, "rule", 200);
    Values.requireText(severity, "severity", 50);
    location = Values.orEmpty(location, "location", 1000);
    message = Values.orEmpty(message, "message", 100_000);
  }
}
