package dev.stamp.controller.store;

/**
 * What a rollout did to one service on one host: {@code result} is the rollout's word for it
 * ({@code updated}, {@code unchanged}, {@code failed}, {@code rolled-back}, ...), {@code message}
 * the detail (empty when there is none). A release keeps one result per host and service.
 */
public record HostResult(String host, String service, String result, String message) {

  public HostResult {
    Values.requireText(host, "host", 500);
    Values.requireText(service, "service", 200);
    Values.requireText(result, "result", 100);
    message = Values.orEmpty(message, "message", 100_000);
  }
}
