package dev.stamp.policies.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stamp.policies.Finding;
import dev.stamp.policies.Mode;
import dev.stamp.policies.Report;
import dev.stamp.policies.Rule;
import dev.stamp.policies.Severity;
import java.util.HashMap;
import java.util.Map;

/**
 * SARIF 2.1.0: one run whose driver lists the rules (id, name, descriptions, help, default level,
 * category), one result per finding with its level, message, and a physical location (file, and the
 * region when there is a line) plus a logical location for spec and image paths. Waived findings
 * carry a suppression with the waiver's reason, as code-scanning UIs expect.
 */
final class SarifReport {

  static final String SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";

  private SarifReport() {}

  static String render(Report report) {
    ObjectNode root = JsonReport.MAPPER.createObjectNode();
    root.put("$schema", SCHEMA);
    root.put("version", "2.1.0");
    ObjectNode run = root.putArray("runs").addObject();
    ObjectNode driver = run.putObject("tool").putObject("driver");
    driver.put("name", "stamp-lint");
    driver.put("informationUri", "https://stamp.dev/docs/policies");
    driver.put("version", "0.1.0");
    ArrayNode rules = driver.putArray("rules");
    Map<String, Integer> index = new HashMap<>();
    for (Rule r : report.rules()) {
      index.put(r.id(), index.size());
      ObjectNode o = rules.addObject();
      o.put("id", r.id());
      o.put("name", pascal(r.title()));
      o.putObject("shortDescription").put("text", r.title());
      o.putObject("fullDescription").put("text", r.description());
      o.putObject("help").put("text", r.description());
      o.putObject("defaultConfiguration")
          .put("level", level(r.severity(), Mode.defaultFor(r.severity())));
      o.putObject("properties").putArray("tags").add(r.category().label());
    }
    ArrayNode results = run.putArray("results");
    for (Finding f : report.findings()) {
      ObjectNode o = results.addObject();
      o.put("ruleId", f.ruleId());
      if (index.containsKey(f.ruleId())) {
        o.put("ruleIndex", index.get(f.ruleId()));
      }
      o.put("level", level(f.severity(), f.mode()));
      o.putObject("message")
          .put("text", f.message() + f.note().map(n -> " [" + n + "]").orElse(""));
      ObjectNode loc = o.putArray("locations").addObject();
      ObjectNode physical = loc.putObject("physicalLocation");
      physical.putObject("artifactLocation").put("uri", uri(f.location().file()));
      if (f.location().line() > 0) {
        ObjectNode region = physical.putObject("region");
        region.put("startLine", f.location().line());
        if (f.location().column() > 0) {
          region.put("startColumn", f.location().column());
        }
      }
      if (!f.location().path().isEmpty()) {
        loc.putArray("logicalLocations").addObject().put("fullyQualifiedName", f.location().path());
      }
      f.waiver()
          .ifPresent(
              w -> {
                ObjectNode s = o.putArray("suppressions").addObject();
                s.put("kind", w.origin().contains("policy") ? "external" : "inSource");
                s.put("justification", w.reason() + " (" + w.origin() + ")");
              });
    }
    return JsonReport.write(root);
  }

  /** SARIF levels: enforced → error, warn → warning, info → note. */
  static String level(Severity severity, Mode mode) {
    if (severity == Severity.INFO) {
      return "note";
    }
    return mode == Mode.ENFORCE ? "error" : "warning";
  }

  private static String uri(String file) {
    return file.replace('\\', '/').replace(" ", "%20");
  }

  private static String pascal(String title) {
    StringBuilder sb = new StringBuilder();
    for (String w : title.split("[^A-Za-z0-9]+")) {
      if (!w.isEmpty()) {
        sb.append(Character.toUpperCase(w.charAt(0))).append(w.substring(1));
      }
    }
    return sb.toString();
  }
}
