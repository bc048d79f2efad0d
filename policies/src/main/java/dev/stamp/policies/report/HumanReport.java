package dev.stamp.policies.report;

import dev.stamp.policies.Finding;
import dev.stamp.policies.Mode;
import dev.stamp.policies.Report;
import dev.stamp.policies.Severity;

/**
 * {@code file:line:col ID severity message}, one finding a line, files apart by a blank line;
 * waived findings say so and why; a summary line at the end. ANSI colours when asked (a terminal).
 */
final class HumanReport {

  private static final String RED = "\u001b[31m";
  private static final String YELLOW = "\u001b[33m";
  private static final String CYAN = "\u001b[36m";
  private static final String DIM = "\u001b[2m";
  private static final String BOLD = "\u001b[1m";
  private static final String RESET = "\u001b[0m";

  private HumanReport() {}

  static String render(Report report, boolean colour) {
    StringBuilder out = new StringBuilder();
    for (String notice : report.notices()) {
      out.append("notice: ").append(notice).append('\n');
    }
    String file = null;
    for (Finding f : report.findings()) {
      if (file != null && !file.equals(f.location().file())) {
        out.append('\n');
      }
      file = f.location().file();
      String label = label(f);
      String where = f.location().toString();
      if (colour) {
        out.append(BOLD).append(where).append(RESET).append(' ');
        out.append(f.waived() ? DIM : colourOf(f)).append(f.ruleId()).append(' ').append(label);
        out.append(RESET).append(' ');
      } else {
        out.append(where).append(' ').append(f.ruleId()).append(' ').append(label).append(' ');
      }
      out.append(f.message());
      if (f.location().line() > 0 && !f.location().path().isEmpty()) {
        out.append(" (").append(f.location().path()).append(')');
      }
      f.waiver()
          .ifPresent(
              w ->
                  out.append(" (waived: ")
                      .append(w.reason())
                      .append(", ")
                      .append(w.origin())
                      .append(w.expires().map(d -> ", until " + d).orElse(""))
                      .append(')'));
      f.note().ifPresent(n -> out.append(" [").append(n).append(']'));
      out.append('\n');
    }
    if (!report.findings().isEmpty()) {
      out.append('\n');
    }
    long info =
        report.findings().stream()
            .filter(f -> !f.waived() && !f.blocking() && f.severity() == Severity.INFO)
            .count();
    out.append(
        String.format(
            "%d enforced, %d warnings, %d info, %d waived%n",
            report.blocking().size(), report.warnings().size(), info, report.waived().size()));
    return out.toString();
  }

  /** The severity as shown: {@code error}, {@code warning}, {@code info}; warn-mode errors too. */
  static String label(Finding f) {
    String s = f.severity().label();
    return f.severity() == Severity.ERROR && f.mode() == Mode.WARN ? s + "(warn)" : s;
  }

  private static String colourOf(Finding f) {
    if (f.blocking()) {
      return RED;
    }
    return f.severity() == Severity.INFO ? CYAN : YELLOW;
  }
}
