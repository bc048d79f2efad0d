package dev.stamp.runtime.service;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import dev.stamp.runtime.health.HealthCheck;
import java.io.IOException;
import java.time.Duration;

/**
 * Reads a service record's {@code health}: a {@link HealthCheck} ({@code Test}, {@code Interval}, …
 * as in an image config), or the form records had before there was one health model ({@code kind}
 * tcp/http/cmd, {@code target}, timings in milliseconds), so services started by an older Stamp can
 * still be listed, monitored and removed.
 */
final class RecordedHealth extends StdDeserializer<HealthCheck> {

  RecordedHealth() {
    super(HealthCheck.class);
  }

  @Override
  public HealthCheck deserialize(JsonParser parser, DeserializationContext context)
      throws IOException {
    JsonNode node = parser.readValueAsTree();
    if (!node.has("kind")) {
      return parser.getCodec().treeToValue(node, HealthCheck.class);
    }
    String target = node.path("target").asText("");
    HealthCheck test =
        switch (node.path("kind").asText()) {
          case "http" -> HealthCheck.http(target);
          case "cmd" -> HealthCheck.shell(target);
          default -> HealthCheck.tcp();
        };
    return test.withInterval(Duration.ofMillis(node.path("intervalMillis").asLong()))
        .withTimeout(Duration.ofMillis(node.path("timeoutMillis").asLong()))
        .withRetries(node.path("retries").asInt())
        .withStartPeriod(Duration.ofMillis(node.path("startPeriodMillis").asLong()));
  }
}
