package dev.stamp.policies.report;

import dev.stamp.policies.Finding;
import dev.stamp.policies.Report;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JUnit XML for CI test views: one {@code testsuite} per file, one {@code testcase} per finding
 * (named {@code ID location}): enforced ones fail, waived ones are skipped with the reason,
 * warnings and info pass with the message in {@code system-out}. A file without findings is not
 * listed (only what was found is known here).
 */
final class JunitReport {

  private JunitReport() {}

  static String render(Report report) {
    Map<String, List<Finding>> byFile = new LinkedHashMap<>();
    for (Finding f : report.findings()) {
      byFile.computeIfAbsent(f.location().file(), k -> new ArrayList<>()).add(f);
    }
    StringBuilder out = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.append("<testsuites name=\"stamp lint\" tests=\"")
        .append(report.findings().size())
        .append("\" failures=\"")
        .append(report.blocking().size())
        .append("\" skipped=\"")
        .append(report.waived().size())
        .append("\">\n");
    for (Map.Entry<String, List<Finding>> e : byFile.entrySet()) {
      List<Finding> fs = e.getValue();
      out.append("  <testsuite name=\"")
          .append(esc(e.getKey()))
          .append("\" tests=\"")
          .append(fs.size())
          .append("\" failures=\"")
          .append(fs.stream().filter(Finding::blocking).count())
          .append("\" errors=\"0\" skipped=\"")
          .append(fs.stream().filter(Finding::waived).count())
          .append("\">\n");
      for (Finding f : fs) {
        String text =
            f.location() + " " + f.ruleId() + " " + HumanReport.label(f) + " " + f.message();
        out.append("    <testcase classname=\"")
            .append(esc(f.ruleId()))
            .append("\" name=\"")
            .append(esc(f.ruleId() + " " + f.location()))
            .append("\">");
        if (f.blocking()) {
          out.append("<failure type=\"")
              .append(f.severity().label())
              .append("\" message=\"")
              .append(esc(f.message()))
              .append("\">")
              .append(esc(text + f.note().map(n -> " [" + n + "]").orElse("")))
              .append("</failure>");
        } else if (f.waived()) {
          out.append("<skipped message=\"")
              .append(
                  esc(
                      "waived: "
                          + f.waiver().get().reason()
                          + " ("
                          + f.waiver().get().origin()
                          + ")"))
              .append("\"/>");
        } else {
          out.append("<system-out>").append(esc(text)).append("</system-out>");
        }
        out.append("</testcase>\n");
      }
      out.append("  </testsuite>\n");
    }
    return out.append("</testsuites>\n").toString();
  }

  /** XML-escapes text and drops characters XML 1.0 cannot carry. */
  static String esc(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '&' -> sb.append("&amp;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&apos;");
        default -> {
          if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r') {
            sb.append(c);
          }
        }
      }
    }
    return sb.toString();
  }
}
