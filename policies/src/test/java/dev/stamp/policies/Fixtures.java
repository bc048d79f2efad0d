package dev.stamp.policies;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.stamp.policies.rules.DefaultRules;
import dev.stamp.runtime.health.HealthCheck;
import dev.stamp.runtime.image.ContainerConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Rule fixtures under {@code src/test/resources/rules/<ID>/}: {@code clean.*} and {@code
 * violating.*} as a Dockerfile, a spec ({@code *.spec.yaml}: app, services with the fields of
 * {@link SpecSubject.Service}, and Dockerfiles by path) or an image ({@code *.image.yaml}: user,
 * layers with file modes); an optional {@code policy.yaml} beside them.
 */
final class Fixtures {

  static final LocalDate TODAY = LocalDate.of(2026, 12, 6);
  private static final YAMLMapper YAML = new YAMLMapper();

  private Fixtures() {}

  static String resource(String path) {
    try (InputStream in = Fixtures.class.getResourceAsStream("/" + path)) {
      return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The subjects of {@code rules/<id>/<which>.*}. */
  static List<Subject> subjects(String id, String which) throws IOException {
    String dir = "rules/" + id + "/";
    String df = resource(dir + which + ".Dockerfile");
    if (df != null) {
      return List.of(DockerfileSubject.of(dir + which + ".Dockerfile", df));
    }
    String spec = resource(dir + which + ".spec.yaml");
    if (spec != null) {
      return spec(dir + which + ".spec.yaml", spec);
    }
    String image = resource(dir + which + ".image.yaml");
    if (image != null) {
      return List.of(image(image));
    }
    throw new IllegalStateException("no " + which + " fixture for " + id + " under " + dir);
  }

  static PolicyConfig policy(String id) throws PolicyException {
    String yaml = resource("rules/" + id + "/policy.yaml");
    return yaml == null
        ? PolicyConfig.defaults()
        : PolicyConfig.parse("rules/" + id + "/policy.yaml", yaml, DefaultRules.ids());
  }

  static PolicyEngine engine(PolicyConfig config) {
    return new PolicyEngine(DefaultRules.all(), config, List.of(), TODAY);
  }

  static List<Subject> spec(String file, String yaml) throws IOException {
    JsonNode root = YAML.readTree(yaml);
    List<Subject> out = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.path("dockerfiles").fields();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      out.add(
          new DockerfileSubject(
              e.getKey(),
              e.getValue().asText(),
              Optional.of(root.path("app").asText()),
              Optional.empty()));
    }
    List<SpecSubject.Service> services = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.path("services").fields();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode s = e.getValue();
      SpecSubject.Service.Builder b = SpecSubject.Service.builder(e.getKey());
      s.path("ports").forEach(p -> b.publish(p.asText()));
      b.healthcheck(s.path("healthcheck").asBoolean(false));
      if (s.has("memory")) {
        b.memoryLimit(s.get("memory").asText());
      }
      if (s.has("pids")) {
        b.pidsLimit(s.get("pids").asLong());
      }
      b.privileged(s.path("privileged").asBoolean(false));
      s.path("cap_add").forEach(c -> b.capAdd(c.asText()));
      if (s.has("network_mode")) {
        b.networkMode(s.get("network_mode").asText());
      }
      if (s.has("pid")) {
        b.pid(s.get("pid").asText());
      }
      if (s.has("ipc")) {
        b.ipc(s.get("ipc").asText());
      }
      s.path("binds").forEach(v -> b.bind(v.asText()));
      s.path("environment")
          .fields()
          .forEachRemaining(v -> b.env(v.getKey(), v.getValue().asText()));
      s.path("secrets").forEach(v -> b.secret(v.asText()));
      if (s.has("read_only")) {
        b.readOnly(s.get("read_only").asBoolean());
      }
      b.replicas(s.path("replicas").asInt(1));
      if (s.path("order").asText("").equals("start-first")) {
        b.updateOrder(SpecSubject.UpdateOrder.START_FIRST);
      }
      if (s.has("dockerfile")) {
        b.dockerfile(s.get("dockerfile").asText());
      }
      services.add(b.build());
    }
    out.add(new SpecSubject(root.path("app").asText(), file, services));
    return out;
  }

  static ImageSubject image(String yaml) throws IOException {
    JsonNode root = YAML.readTree(yaml);
    ContainerConfig.Builder config = ContainerConfig.builder().user(root.path("user").asText(""));
    if (root.path("healthcheck").asBoolean(false)) {
      config.healthcheck(
          new HealthCheck(List.of("CMD-SHELL", "true"), null, null, null, null, null));
    }
    List<ImageSubject.Layer> layers = new ArrayList<>();
    int i = 0;
    for (JsonNode l : root.path("layers")) {
      List<ImageSubject.LayerFile> files = new ArrayList<>();
      for (JsonNode f : l.path("files")) {
        files.add(
            new ImageSubject.LayerFile(
                f.path("path").asText(),
                Integer.parseInt(f.path("mode").asText(), 8),
                0,
                f.path("dir").asBoolean(false),
                f.path("symlink").asBoolean(false)));
      }
      layers.add(new ImageSubject.Layer("sha256:layer" + i++, l.path("size").asLong(), files));
    }
    return new ImageSubject(
        root.path("reference").asText(),
        config.build(),
        layers,
        root.path("baseLayers").asInt(0),
        Optional.of("shop"),
        Optional.of("web"),
        Optional.empty());
  }
}
