package dev.stamp.policies.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stamp.policies.Finding;
import dev.stamp.policies.Report;
import java.io.UncheckedIOException;

/**
 * {@code {"findings": [...], "summary": {...}, "notices": [...]}}: each finding with rule,
 * severity, category, mode, file, line, column, path, message, app, service, waived, waiver, note,
 * blocking.
 */
final class JsonReport {

  static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private JsonReport() {}

  static String render(Report report) {
    ObjectNode root = MAPPER.createObjectNode();
    ArrayNode findings = root.putArray("findings");
    for (Finding f : report.findings()) {
      ObjectNode o = findings.addObject();
      o.put("rule", f.ruleId());
      o.put("severity", f.severity().label());
      o.put("category", f.category().label());
      o.put("mode", f.mode().label());
      o.put("blocking", f.blocking());
      o.put("file", f.location().file());
      if (f.location().line() > 0) {
        o.put("line", f.location().line());
        o.put("column", f.location().column());
      }
      if (!f.location().path().isEmpty()) {
        o.put("path", f.location().path());
      }
      o.put("message", f.message());
      f.app().ifPresent(a -> o.put("app", a));
      f.service().ifPresent(s -> o.put("service", s));
      o.put("waived", f.waived());
      f.waiver()
          .ifPresent(
              w -> {
                ObjectNode wo = o.putObject("waiver");
                wo.put("reason", w.reason());
                wo.put("origin", w.origin());
                w.expires().ifPresent(d -> wo.put("expires", d.toString()));
              });
      f.note().ifPresent(n -> o.put("note", n));
    }
    ObjectNode summary = root.putObject("summary");
    summary.put("findings", report.findings().size());
    summary.put("enforced", report.blocking().size());
    summary.put("warnings", report.warnings().size());
    summary.put("waived", report.waived().size());
    ArrayNode notices = root.putArray("notices");
    report.notices().forEach(notices::add);
    return write(root);
  }

  static String write(ObjectNode root) {
    try {
      return MAPPER.writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
