package dev.stamp.policies.report;

import dev.stamp.policies.Report;
import java.util.Locale;
import java.util.Optional;

/** The output formats of a report. */
public enum ReportFormat {
  /** {@code file:line:col ID severity message}, grouped by file, coloured on a terminal. */
  HUMAN,
  /** One JSON object: findings, summary, notices. */
  JSON,
  /** SARIF 2.1.0, for code-scanning UIs. */
  SARIF,
  /** JUnit XML: a test suite per file, a test case per finding. */
  JUNIT;

  /** {@code human}, {@code json}, {@code sarif} or {@code junit} (any case). */
  public static Optional<ReportFormat> parse(String text) {
    for (ReportFormat f : values()) {
      if (f.name().equalsIgnoreCase(text.strip())) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** {@code report} in this format; {@code colour} only affects {@link #HUMAN}. */
  public String render(Report report, boolean colour) {
    return switch (this) {
      case HUMAN -> HumanReport.render(report, colour);
      case JSON -> JsonReport.render(report);
      case SARIF -> SarifReport.render(report);
      case JUNIT -> JunitReport.render(report);
    };
  }
}
