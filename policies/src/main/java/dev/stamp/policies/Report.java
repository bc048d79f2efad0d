package dev.stamp.policies;

import java.util.List;

/**
 * The result of one run: every finding (waived ones included, marked), sorted by file and place;
 * notices about the policy itself (a repository setting ignored because it weakened the
 * organisation's); and the rules that ran, for outputs that describe them (SARIF).
 */
public record Report(List<Finding> findings, List<String> notices, List<Rule> rules) {

  /** Exit code 0: nothing blocks (and no warnings when asked to fail on them). */
  public static final int CLEAN = 0;

  /** Exit code 1: warnings, with {@code --fail-on-warn}. */
  public static final int WARNINGS = 1;

  /** Exit code 2: enforced violations (or bad input, reported before a report exists). */
  public static final int VIOLATIONS = 2;

  public Report {
    findings = List.copyOf(findings);
    notices = List.copyOf(notices);
    rules = List.copyOf(rules);
  }

  /** Enforced, unwaived findings: the build or deploy must not go ahead. */
  public List<Finding> blocking() {
    return findings.stream().filter(Finding::blocking).toList();
  }

  /** Unwaived findings in warn mode (info excluded). */
  public List<Finding> warnings() {
    return findings.stream().filter(Finding::warning).toList();
  }

  public List<Finding> waived() {
    return findings.stream().filter(Finding::waived).toList();
  }

  /** Whether nothing blocks. */
  public boolean passes() {
    return blocking().isEmpty();
  }

  /** 2 if anything blocks; 1 if {@code failOnWarn} and there are warnings; else 0. */
  public int exitCode(boolean failOnWarn) {
    if (!passes()) {
      return VIOLATIONS;
    }
    return failOnWarn && !warnings().isEmpty() ? WARNINGS : CLEAN;
  }
}
