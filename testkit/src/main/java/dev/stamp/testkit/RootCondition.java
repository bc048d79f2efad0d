package dev.stamp.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Skips {@link RequiresRoot} tests, with the reason, when the effective uid is not 0. */
public final class RootCondition implements ExecutionCondition {

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    if (isRoot()) {
      return ConditionEvaluationResult.enabled("running as root");
    }
    return ConditionEvaluationResult.disabled(
        "skipped: needs root (namespaces, mounts, cgroups); run the suite as root, as CI does");
  }

  /** Whether this process runs with effective uid 0, read from /proc/self/status. */
  public static boolean isRoot() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          String[] f = line.split("\\s+");
          return f.length > 2 && f[2].equals("0");
        }
      }
      return false;
    } catch (IOException e) {
      return false;
    }
  }
}
