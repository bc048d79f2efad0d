package dev.stamp.controller.sync;

import dev.stamp.controller.ControllerException;
import dev.stamp.controller.compose.ComposeApp;
import dev.stamp.controller.compose.ComposeService;
import dev.stamp.controller.git.TreeSnapshot;
import dev.stamp.controller.images.BuildInputs;
import dev.stamp.controller.images.ServiceImage;
import dev.stamp.controller.store.PolicyVerdict;
import dev.stamp.policies.DockerfileSubject;
import dev.stamp.policies.Finding;
import dev.stamp.policies.ImageSubjects;
import dev.stamp.policies.Subject;
import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.image.ImageStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The policies engine as the controller's gate for one repository: the app's spec, the Dockerfiles
 * its services build from (read from the commit's tree) and, once built, their images, judged under
 * the organisation's policy and the commit's {@code .stamp/policy.yaml} (which can only tighten
 * it). A policy file that does not load keeps the last good one and says so in the findings.
 */
public final class RepositoryPolicyGate implements PolicyGate {

  private static final Logger LOG = LoggerFactory.getLogger(RepositoryPolicyGate.class);

  /** Where a repository keeps its policy. */
  public static final String POLICY_FILE = ".stamp/policy.yaml";

  private final dev.stamp.policies.PolicyGate engine;
  private final ImageStore store;

  public RepositoryPolicyGate(dev.stamp.policies.PolicyGate engine, ImageStore store) {
    this.engine = engine;
    this.store = store;
  }

  @Override
  public Verdict check(ComposeApp app, TreeSnapshot tree, Map<String, ServiceImage> images)
      throws ControllerException {
    List<Subject> subjects = new ArrayList<>();
    Map<String, String> dockerfiles = new LinkedHashMap<>();
    for (ComposeService s : app.services().values()) {
      if (s.build() == null) {
        continue;
      }
      BuildInputs in = BuildInputs.of(app, s);
      dockerfiles.put(s.name(), in.dockerfile());
      Optional<byte[]> text = tree.read(in.dockerfile());
      if (text.isPresent()) {
        subjects.add(
            new DockerfileSubject(
                in.dockerfile(),
                new String(text.get(), StandardCharsets.UTF_8),
                Optional.of(app.name()),
                Optional.of(s.name())));
      }
    }
    byte[] compose = tree.read(app.file()).orElse(new byte[0]);
    subjects.add(PolicySubjects.spec(app, compose, app.file(), dockerfiles));
    for (ServiceImage image : images.values()) {
      try {
        subjects.add(
            ImageSubjects.read(
                store,
                image.digest(),
                0,
                Optional.of(app.name()),
                Optional.of(image.service()),
                Optional.ofNullable(dockerfiles.get(image.service()))));
      } catch (HostRuntimeException e) {
        throw new ControllerException(
            "policy check of app " + app.name() + ", image of " + image.service(), e);
      }
    }
    Optional<String> repoPolicy =
        tree.read(POLICY_FILE).map(b -> new String(b, StandardCharsets.UTF_8));
    dev.stamp.policies.PolicyGate.Decision decision =
        engine.decide(POLICY_FILE, repoPolicy, subjects);
    List<PolicyVerdict> verdicts = new ArrayList<>();
    decision
        .policyError()
        .ifPresent(
            e -> {
              LOG.warn("app {}: {} (the last good policy applies)", app.name(), e.getMessage());
              verdicts.add(
                  new PolicyVerdict(
                      "STAMP-POLICY",
                      "warning",
                      POLICY_FILE,
                      e.getMessage() + " (the last good policy applies)",
                      false));
            });
    for (Finding f : decision.report().findings()) {
      if (f.mode() == dev.stamp.policies.Mode.OFF) {
        continue;
      }
      verdicts.add(
          new PolicyVerdict(
              f.ruleId(),
              f.blocking() ? "error" : f.severity().name().toLowerCase(Locale.ROOT),
              f.location().toString(),
              f.message(),
              f.waived()));
    }
    return new Verdict(!decision.deploy(), verdicts);
  }
}
