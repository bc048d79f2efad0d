package dev.stamp.policies;

import dev.stamp.policies.rules.DefaultRules;
import java.time.Clock;
import java.time.LocalDate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The controller's side of the engine: before each build and each deploy it hands the gate the
 * commit's {@code .stamp/policy.yaml} (empty when the repository has none) and the commit's
 * subjects, and gets a {@link Decision}. The organisation level is fixed when the gate is made. A
 * repository policy that does not load does not open the gate: the gate keeps judging with the last
 * policy that loaded (for this repository) and reports the error, so a typo in the policy file
 * neither blocks every deploy nor switches the checks off.
 *
 * <p>One gate per repository; {@link #decide} is synchronised (it remembers the last good policy).
 */
public final class PolicyGate {

  /**
   * What to do with a commit: {@code deploy} is false when anything enforced and unwaived was
   * found; {@code policyError} is the repository policy's load error when the last good policy was
   * used.
   */
  public record Decision(
      boolean deploy, Report report, Optional<PolicyException> policyError, String policySource) {
    public Decision {
      Objects.requireNonNull(report, "report");
      policyError = policyError == null ? Optional.empty() : policyError;
    }
  }

  private final PolicyConfig org;
  private final List<Rule> rules;
  private final Clock clock;
  private PolicyConfig lastGood = PolicyConfig.defaults();

  public PolicyGate(PolicyConfig org, Clock clock) {
    this(org, DefaultRules.all(), clock);
  }

  public PolicyGate(PolicyConfig org, List<Rule> rules, Clock clock) {
    this.org = Objects.requireNonNull(org, "org");
    this.rules = List.copyOf(rules);
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Judges {@code subjects} of one commit under the organisation policy and the commit's {@code
   * repoPolicy} text ({@code file} names it in messages).
   */
  public synchronized Decision decide(
      String file, Optional<String> repoPolicy, List<? extends Subject> subjects) {
    Optional<PolicyException> error = Optional.empty();
    PolicyConfig repo;
    try {
      repo =
          repoPolicy.isPresent()
              ? PolicyConfig.parse(file, repoPolicy.get(), ids())
              : PolicyConfig.defaults();
      lastGood = repo;
    } catch (PolicyException e) {
      error = Optional.of(e);
      repo = lastGood;
    }
    PolicyConfig.Merged merged = PolicyConfig.merge(org, repo);
    Report report =
        new PolicyEngine(rules, merged.config(), merged.notices(), LocalDate.now(clock))
            .check(subjects);
    return new Decision(report.passes(), report, error, repo.source());
  }

  private java.util.Set<String> ids() {
    java.util.Set<String> ids = new java.util.LinkedHashSet<>();
    rules.forEach(r -> ids.add(r.id()));
    return ids;
  }
}
