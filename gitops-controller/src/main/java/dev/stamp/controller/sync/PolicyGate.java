package dev.stamp.controller.sync;

import dev.stamp.controller.ControllerException;
import dev.stamp.controller.compose.ComposeApp;
import dev.stamp.controller.git.TreeSnapshot;
import dev.stamp.controller.images.ServiceImage;
import dev.stamp.controller.store.PolicyVerdict;
import java.util.List;
import java.util.Map;

/**
 * The policy check every release passes before anything ships: over the app's spec, its Dockerfiles
 * (in {@code tree}) and its images. The policies module implements it; until it is wired in, {@link
 * #NONE} lets everything through.
 */
@FunctionalInterface
public interface PolicyGate {

  /** The findings; {@link Verdict#denied()} when an enforced rule is violated and not waived. */
  Verdict check(ComposeApp app, TreeSnapshot tree, Map<String, ServiceImage> images)
      throws ControllerException;

  /** Findings and the decision. */
  record Verdict(boolean denied, List<PolicyVerdict> findings) {
    public Verdict {
      findings = List.copyOf(findings);
    }
  }

  PolicyGate NONE = (app, tree, images) -> new Verdict(false, List.of());
}
