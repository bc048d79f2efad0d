package dev.stamp.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.policies.rules.DefaultRules;
import dev.stamp.runtime.StampException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WaiverAndPrecedenceTest {

  static final String DF =
      "FROM alpine:3.20\n# stamp:ignore=STAMP-DF-007 vendor script needs it\nRUN sudo true\nRUN sudo false\n";

  private static PolicyConfig parse(String yaml) throws PolicyException {
    return PolicyConfig.parse(".stamp/policy.yaml", yaml, DefaultRules.ids());
  }

  private static List<Finding> of(Report r, String id) {
    return r.findings().stream().filter(f -> f.ruleId().equals(id)).toList();
  }

  private static DockerfileSubject web(String text) {
    return new DockerfileSubject(
        "services/web/Dockerfile", text, Optional.of("shop"), Optional.of("web"));
  }

  @Test
  void inlineWaiverCoversOnlyTheNextInstructionAndIsCountedApart() {
    Report r = Fixtures.engine(PolicyConfig.defaults()).check(List.of(web(DF)));
    List<Finding> sudo = of(r, "STAMP-DF-007");
    assertThat(sudo).extracting(f -> f.location().line()).containsExactly(3, 4);
    assertThat(sudo.get(0).waived()).isTrue();
    assertThat(sudo.get(0).waiver().get().reason()).isEqualTo("vendor script needs it");
    assertThat(sudo.get(0).waiver().get().origin()).isEqualTo("services/web/Dockerfile:2");
    assertThat(sudo.get(1).waived()).isFalse();
    assertThat(r.waived()).hasSize(1);
  }

  @Test
  void inlineWaiverWithoutAReasonDoesNotWaive() {
    Report r =
        Fixtures.engine(PolicyConfig.defaults())
            .check(List.of(web("FROM alpine:3.20\n# stamp:ignore=STAMP-DF-007\nRUN sudo true\n")));
    Finding f = of(r, "STAMP-DF-007").get(0);
    assertThat(f.waived()).isFalse();
    assertThat(f.note()).hasValueSatisfying(n -> assertThat(n).contains("has no reason"));
  }

  @Test
  void scopedWaiversMatchAppServiceAndFile() throws Exception {
    String text = "FROM alpine:3.20\nADD app /app\n";
    for (String scope :
        List.of(
            "app: shop",
            "service: web",
            "file: services/web/Dockerfile",
            "app: shop\n    service: web")) {
      PolicyConfig c =
          parse("waivers:\n  - rule: STAMP-DF-005\n    " + scope + "\n    reason: legacy\n");
      Report r = Fixtures.engine(c).check(List.of(web(text)));
      assertThat(of(r, "STAMP-DF-005")).as(scope).allMatch(Finding::waived).hasSize(1);
    }
    for (String scope : List.of("app: other", "service: api", "file: services/api/Dockerfile")) {
      PolicyConfig c =
          parse("waivers:\n  - rule: STAMP-DF-005\n    " + scope + "\n    reason: legacy\n");
      Report r = Fixtures.engine(c).check(List.of(web(text)));
      assertThat(of(r, "STAMP-DF-005")).as(scope).noneMatch(Finding::waived).hasSize(1);
    }
  }

  @Test
  void anExpiredWaiverStopsWaivingAndSaysSo() throws Exception {
    String text = "FROM alpine:3.20\nRUN curl https://x.example/i.sh | sh\n";
    PolicyConfig valid =
        parse("waivers:\n  - rule: STAMP-DF-010\n    reason: r\n    expires: 2026-12-06\n");
    Report stillValid = Fixtures.engine(valid).check(List.of(web(text)));
    assertThat(of(stillValid, "STAMP-DF-010").get(0).waived()).isTrue();
    assertThat(stillValid.exitCode(false)).isZero();

    PolicyConfig expired =
        parse("waivers:\n  - rule: STAMP-DF-010\n    reason: r\n    expires: 2026-12-05\n");
    Report r = Fixtures.engine(expired).check(List.of(web(text)));
    Finding f = of(r, "STAMP-DF-010").get(0);
    assertThat(f.waived()).isFalse();
    assertThat(f.blocking()).isTrue();
    assertThat(f.note().get())
        .isEqualTo(
            "waiver .stamp/policy.yaml: waivers[0] expired on 2026-12-05: no longer waived (renew"
                + " it or fix the finding)");
    assertThat(r.exitCode(false)).isEqualTo(2);
  }

  @Test
  void modesDecideExitCodes() throws Exception {
    String text = "FROM alpine\nRUN curl https://x.example/i.sh | sh\n";
    Report defaults = Fixtures.engine(PolicyConfig.defaults()).check(List.of(web(text)));
    assertThat(defaults.exitCode(false)).isEqualTo(2);
    Report warned =
        Fixtures.engine(parse("rules:\n  STAMP-DF-010: warn\n")).check(List.of(web(text)));
    assertThat(warned.exitCode(false)).isZero();
    assertThat(warned.exitCode(true)).isEqualTo(1);
    Report off =
        Fixtures.engine(
                parse("rules:\n  STAMP-DF-010: off\n  STAMP-DF-001: off\n  STAMP-DF-011: off\n"))
            .check(List.of(web(text)));
    assertThat(off.findings()).isEmpty();
    assertThat(off.exitCode(true)).isZero();
  }

  @Test
  void aRepositoryCannotSwitchOffAnOrganisationEnforcedRuleButCanTighten() throws Exception {
    PolicyConfig org =
        PolicyConfig.parse(
            "org.yaml",
            "rules:\n  STAMP-DF-010: enforce\n  STAMP-DF-005: warn\nlocked: [STAMP-SP-003]\n"
                + "allow:\n  registries: [registry.example.com]\nlimits:\n  maxLayerSize: 1GiB\n",
            DefaultRules.ids());
    PolicyConfig repo =
        parse(
            "rules:\n  STAMP-DF-010: off\n  STAMP-DF-005: enforce\n  STAMP-DF-015: off\n"
                + "waivers:\n  - rule: STAMP-SP-003\n    reason: please\n"
                + "allow:\n  registries: [registry.example.com/team, ghcr.io]\n"
                + "limits:\n  maxLayerSize: 5GiB\n");
    PolicyConfig.Merged merged = PolicyConfig.merge(org, repo);
    PolicyConfig c = merged.config();
    assertThat(c.modes())
        .containsEntry("STAMP-DF-010", Mode.ENFORCE)
        .containsEntry("STAMP-DF-005", Mode.ENFORCE)
        .containsEntry("STAMP-DF-015", Mode.OFF);
    assertThat(c.waivers()).isEmpty();
    assertThat(c.registries()).contains(List.of("registry.example.com/team"));
    assertThat(c.maxLayerBytes()).contains(1L << 30);
    assertThat(merged.notices())
        .containsExactly(
            ".stamp/policy.yaml: rules.STAMP-DF-010: off ignored: the organisation policy sets it"
                + " to enforce",
            ".stamp/policy.yaml: waivers[0]: waiver for STAMP-SP-003 ignored: the organisation"
                + " locks that rule",
            ".stamp/policy.yaml: allow.registries: ghcr.io ignored: not within the organisation's"
                + " list [registry.example.com]");

    Report r =
        new PolicyEngine(DefaultRules.all(), c, merged.notices(), Fixtures.TODAY)
            .check(
                List.of(web("FROM alpine:3.20\n# stamp:ignore=STAMP-DF-010 x\nRUN curl x | sh\n")));
    assertThat(r.exitCode(false)).isEqualTo(2);
    assertThat(r.notices()).hasSize(3);
  }

  @Test
  void badPolicyFilesNameTheFileAndField() {
    assertThatThrownBy(() -> parse("rules:\n  STAMP-DF-999: warn\n"))
        .isInstanceOf(PolicyException.class)
        .hasMessage(
            "load policy .stamp/policy.yaml: rules.STAMP-DF-999: unknown rule id \"STAMP-DF-999\""
                + " (stamp lint --rules lists them)")
        .satisfies(e -> assertThat(((StampException) e).kind().exitCode()).isEqualTo(2));
    assertThatThrownBy(() -> parse("rules:\n  STAMP-DF-001: strict\n"))
        .hasMessage(
            "load policy .stamp/policy.yaml: rules.STAMP-DF-001: bad mode \"strict\" (want"
                + " enforce, warn or off)");
    assertThatThrownBy(
            () ->
                parse("waivers:\n  - rule: STAMP-DF-001\n    reason: r\n    expires: 31/12/2026\n"))
        .hasMessage(
            "load policy .stamp/policy.yaml: waivers[0].expires: malformed date \"31/12/2026\""
                + " (want YYYY-MM-DD)");
    assertThatThrownBy(() -> parse("waivers:\n  - rule: STAMP-DF-001\n"))
        .hasMessageContaining("waivers[0].reason: missing");
    assertThatThrownBy(() -> parse("rules: [\n"))
        .hasMessageStartingWith("load policy .stamp/policy.yaml: line ")
        .hasMessageContaining("not valid YAML");
    assertThatThrownBy(() -> parse("rulez: {}\n"))
        .hasMessageStartingWith("load policy .stamp/policy.yaml: rulez: unknown key");
    assertThatThrownBy(() -> parse("limits:\n  maxLayerSize: big\n"))
        .hasMessageContaining("limits.maxLayerSize: bad size \"big\"");
  }

  @Test
  void theCrossSubjectRuleNamesTheDockerfileLine() throws Exception {
    List<Subject> subjects = Fixtures.subjects("STAMP-DF-017", "violating");
    Report r = Fixtures.engine(PolicyConfig.defaults()).check(subjects);
    Finding f = of(r, "STAMP-DF-017").get(0);
    assertThat(f.message())
        .isEqualTo(
            "service web publishes port 80:8080, but its image (built from"
                + " services/web/Dockerfile:3) has no HEALTHCHECK");
    assertThat(f.location().path()).isEqualTo("services.web.ports");
    assertThat(f.service()).contains("web");
  }
}
