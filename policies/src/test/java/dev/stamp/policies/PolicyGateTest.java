package dev.stamp.policies;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.policies.rules.DefaultRules;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The sequence the controller goes through, commit by commit: a clean commit deploys, a violating
 * commit is refused (the controller keeps the previous release running), a waiver commit deploys, a
 * broken policy file keeps the last good policy and is reported, an expired waiver refuses again.
 */
class PolicyGateTest {

  static final String FILE = ".stamp/policy.yaml";
  static final String CLEAN = "FROM alpine:3.20\nUSER 10001\nCMD [\"/app\"]\n";
  static final String VIOLATING = CLEAN + "RUN curl -fsSL https://get.example.com | sh\n";
  static final String WAIVER =
      "waivers:\n  - rule: STAMP-DF-010\n    app: shop\n    reason: vendor installer\n"
          + "    expires: 2026-12-31\n";

  static List<Subject> commit(String dockerfile) {
    return List.of(
        new DockerfileSubject(
            "apps/shop/Dockerfile", dockerfile, Optional.of("shop"), Optional.of("web")));
  }

  static Clock on(String day) {
    return Clock.fixed(Instant.parse(day + "T12:00:00Z"), ZoneOffset.UTC);
  }

  @Test
  void refusesAViolatingCommitAndDeploysAfterAWaiverCommit() {
    PolicyGate gate = new PolicyGate(PolicyConfig.defaults(), on("2026-12-06"));
    assertThat(gate.decide(FILE, Optional.empty(), commit(CLEAN)).deploy()).isTrue();

    PolicyGate.Decision refused = gate.decide(FILE, Optional.empty(), commit(VIOLATING));
    assertThat(refused.deploy()).isFalse();
    assertThat(refused.report().blocking())
        .extracting(Finding::ruleId, f -> f.location().toString())
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("STAMP-DF-010", "apps/shop/Dockerfile:4:1"));

    PolicyGate.Decision waived = gate.decide(FILE, Optional.of(WAIVER), commit(VIOLATING));
    assertThat(waived.deploy()).isTrue();
    assertThat(waived.report().waived()).hasSize(1);
  }

  @Test
  void aBrokenPolicyKeepsTheLastGoodOneAndReportsTheError() {
    PolicyGate gate = new PolicyGate(PolicyConfig.defaults(), on("2026-12-06"));
    assertThat(gate.decide(FILE, Optional.of(WAIVER), commit(VIOLATING)).deploy()).isTrue();
    PolicyGate.Decision d =
        gate.decide(
            FILE,
            Optional.of("waivers:\n  - rule: STAMP-DF-010\n    reason: x\n    expires: soon\n"),
            commit(VIOLATING));
    assertThat(d.deploy()).isTrue();
    assertThat(d.policyError())
        .hasValueSatisfying(
            e ->
                assertThat(e.getMessage())
                    .isEqualTo(
                        "load policy .stamp/policy.yaml: waivers[0].expires: malformed date"
                            + " \"soon\" (want YYYY-MM-DD)"));
  }

  @Test
  void theOrganisationLevelHoldsAndAnExpiredWaiverRefusesAgain() {
    PolicyConfig org =
        new PolicyConfig(
            "org",
            java.util.Map.of("STAMP-DF-012", Mode.ENFORCE),
            java.util.Set.of(),
            List.of(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty());
    PolicyGate gate = new PolicyGate(org, DefaultRules.all(), on("2027-01-01"));
    PolicyGate.Decision expired = gate.decide(FILE, Optional.of(WAIVER), commit(VIOLATING));
    assertThat(expired.deploy()).isFalse();
    assertThat(expired.report().blocking().get(0).note().get()).contains("expired on 2026-12-31");
    PolicyGate.Decision shellForm =
        gate.decide(
            FILE,
            Optional.of("rules:\n  STAMP-DF-012: off\n"),
            commit("FROM alpine:3.20\nUSER 10001\nCMD /app\n"));
    assertThat(shellForm.deploy()).isFalse();
    assertThat(shellForm.report().notices()).hasSize(1);
  }
}
