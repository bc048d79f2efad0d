package dev.stamp.controller.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.stamp.controller.compose.ComposeApp;
import dev.stamp.controller.compose.ComposeService;
import dev.stamp.policies.SpecSubject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A loaded Compose app as the policy rules see it ({@link SpecSubject}), for the controller's gate
 * and for {@code stamp lint}: one mapping, so both judge the same thing. Settings outside the
 * Compose subset Stamp runs ({@code privileged}, {@code cap_add}, {@code network_mode}, {@code
 * pid}, {@code ipc}) are read from the raw file: a policy must see what it refuses.
 */
public final class PolicySubjects {

  private static final YAMLMapper YAML = new YAMLMapper();

  private PolicySubjects() {}

  /**
   * The spec of {@code app} as read from {@code bytes} (its file), {@code display} naming it in
   * findings, {@code dockerfiles} the Dockerfile each building service is built from.
   */
  public static SpecSubject spec(
      ComposeApp app, byte[] bytes, String display, Map<String, String> dockerfiles) {
    JsonNode raw = rawServices(bytes);
    List<SpecSubject.Service> services = new ArrayList<>();
    for (ComposeService s : app.services().values()) {
      services.add(service(s, raw.path(s.name()), Optional.ofNullable(dockerfiles.get(s.name()))));
    }
    Map<String, Integer> lines = new LinkedHashMap<>();
    app.positions().forEach((k, v) -> lines.put(k, v.line()));
    return new SpecSubject(app.name(), display, services, lines);
  }

  /**
   * The {@code services} mapping of a Compose file as plain YAML (empty when it does not parse).
   */
  public static JsonNode rawServices(byte[] bytes) {
    try {
      JsonNode root = YAML.readTree(bytes);
      return root == null ? YAML.createObjectNode() : root.path("services");
    } catch (IOException e) {
      return YAML.createObjectNode();
    }
  }

  /** A Compose service as the policy rules see it. */
  public static SpecSubject.Service service(
      ComposeService s, JsonNode raw, Optional<String> dockerfile) {
    SpecSubject.Service.Builder b = SpecSubject.Service.builder(s.name());
    for (ComposeService.Port p : s.ports()) {
      b.publish(
          p.published() == null ? String.valueOf(p.target()) : p.published() + ":" + p.target());
    }
    ComposeService.Healthcheck hc = s.healthcheck();
    b.healthcheck(
        hc != null
            && !hc.disable()
            && hc.test() != null
            && !hc.test().isEmpty()
            && !hc.test().get(0).equalsIgnoreCase("NONE"));
    ComposeService.Deploy deploy = s.deploy();
    if (deploy != null && deploy.limits() != null) {
      if (deploy.limits().memoryBytes() != null) {
        b.memoryLimit(String.valueOf(deploy.limits().memoryBytes()));
      }
      b.pidsLimit(deploy.limits().pids());
    }
    if (deploy != null && deploy.replicas() != null) {
      b.replicas(deploy.replicas());
    }
    if (deploy != null
        && deploy.updateConfig() != null
        && "start-first".equals(deploy.updateConfig().order())) {
      b.updateOrder(SpecSubject.UpdateOrder.START_FIRST);
    }
    b.privileged(raw.path("privileged").asBoolean(false));
    raw.path("cap_add").forEach(c -> b.capAdd(c.asText()));
    text(raw, "network_mode").ifPresent(b::networkMode);
    text(raw, "pid").ifPresent(b::pid);
    text(raw, "ipc").ifPresent(b::ipc);
    for (ComposeService.Mount m : s.volumes()) {
      if ("bind".equals(m.type()) && m.source() != null) {
        b.bind(m.source());
      }
    }
    s.environment().forEach(b::env);
    s.secrets().forEach(r -> b.secret(r.source()));
    b.readOnly(s.readOnly());
    dockerfile.ifPresent(b::dockerfile);
    if (s.build() != null && s.build().target() != null) {
      b.buildTarget(s.build().target());
    }
    if (s.image() != null) {
      b.image(s.image());
    }
    return b.build();
  }

  private static Optional<String> text(JsonNode raw, String key) {
    JsonNode n = raw.path(key);
    return n.isValueNode() ? Optional.of(n.asText()) : Optional.empty();
  }
}
