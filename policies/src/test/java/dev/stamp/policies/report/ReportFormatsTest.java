package dev.stamp.policies.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stamp.policies.DockerfileSubject;
import dev.stamp.policies.PolicyConfig;
import dev.stamp.policies.PolicyEngine;
import dev.stamp.policies.Report;
import dev.stamp.policies.SpecSubject;
import dev.stamp.policies.rules.DefaultRules;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** Every output format, parsed back. */
class ReportFormatsTest {

  static Report report;

  @BeforeAll
  static void lint() {
    String df =
        "FROM alpine:3.20\n"
            + "RUN curl -fsSL https://x.example/i.sh | sh\n"
            + "# stamp:ignore=STAMP-DF-005 vendored <tarball> & \"quotes\"\n"
            + "ADD app /app\n"
            + "MAINTAINER me\n";
    SpecSubject spec =
        new SpecSubject(
            "shop",
            "apps/shop/compose.yaml",
            List.of(
                SpecSubject.Service.builder("web")
                    .publish("80")
                    .healthcheck(true)
                    .memoryLimit("256m")
                    .pidsLimit(100L)
                    .build()));
    report =
        new PolicyEngine(
                DefaultRules.all(),
                PolicyConfig.defaults(),
                List.of("a notice"),
                LocalDate.of(2026, 12, 6))
            .check(
                List.of(
                    new DockerfileSubject(
                        "apps/shop/Dockerfile", df, Optional.of("shop"), Optional.empty()),
                    spec));
    assertThat(report.blocking()).isNotEmpty();
    assertThat(report.warnings()).isNotEmpty();
    assertThat(report.waived()).hasSize(1);
  }

  @Test
  void humanLinesReadFileLineColumnIdSeverityMessage() {
    String text = ReportFormat.HUMAN.render(report, false);
    Pattern line =
        Pattern.compile(
            "^(\\S+?)(?::(\\d+):(\\d+)|: (\\S+)) (STAMP-[A-Z]+-\\d{3}) (error|warning|info)(\\(warn\\))? (.+)$");
    List<String> ids = new ArrayList<>();
    for (String l : text.split("\n")) {
      Matcher m = line.matcher(l);
      if (m.matches()) {
        ids.add(m.group(5));
      }
    }
    assertThat(ids).hasSize(report.findings().size());
    assertThat(text)
        .startsWith("notice: a notice\n")
        .contains("apps/shop/Dockerfile:2:1 STAMP-DF-010 error download piped into a shell")
        .contains("apps/shop/compose.yaml: services.web.read_only STAMP-SP-009 warning")
        .contains("(waived: vendored <tarball> & \"quotes\", apps/shop/Dockerfile:3)")
        .endsWith(
            report.blocking().size()
                + " enforced, "
                + report.warnings().size()
                + " warnings, 1 info, 1 waived\n");
    assertThat(text).doesNotContain("\u001b[");
    assertThat(ReportFormat.HUMAN.render(report, true)).contains("\u001b[31mSTAMP-DF-010");
  }

  @Test
  void jsonParsesBackToTheSameFindings() throws Exception {
    JsonNode root = new ObjectMapper().readTree(ReportFormat.JSON.render(report, false));
    assertThat(root.path("findings")).hasSize(report.findings().size());
    assertThat(root.path("summary").path("enforced").asInt()).isEqualTo(report.blocking().size());
    assertThat(root.path("summary").path("waived").asInt()).isEqualTo(1);
    JsonNode waived = null;
    for (JsonNode f : root.path("findings")) {
      assertThat(f.path("rule").asText()).matches("STAMP-[A-Z]+-\\d{3}");
      assertThat(f.path("file").asText()).isNotEmpty();
      if (f.path("waived").asBoolean()) {
        waived = f;
      }
    }
    assertThat(waived.path("waiver").path("reason").asText())
        .isEqualTo("vendored <tarball> & \"quotes\"");
    assertThat(waived.path("line").asInt()).isEqualTo(4);
    assertThat(root.path("notices").get(0).asText()).isEqualTo("a notice");
  }

  @Test
  void sarifHasTheFieldsItsSchemaRequires() throws Exception {
    JsonNode root = new ObjectMapper().readTree(ReportFormat.SARIF.render(report, false));
    assertThat(root.path("version").asText()).isEqualTo("2.1.0");
    assertThat(root.path("$schema").asText()).contains("sarif-2.1.0");
    JsonNode run = root.path("runs").get(0);
    JsonNode driver = run.path("tool").path("driver");
    assertThat(driver.path("name").asText()).isEqualTo("stamp-lint");
    List<String> ruleIds = new ArrayList<>();
    for (JsonNode r : driver.path("rules")) {
      assertThat(r.path("id").isTextual()).isTrue();
      assertThat(r.path("shortDescription").path("text").isTextual()).isTrue();
      assertThat(r.path("defaultConfiguration").path("level").asText())
          .isIn("none", "note", "warning", "error");
      ruleIds.add(r.path("id").asText());
    }
    JsonNode results = run.path("results");
    assertThat(results).hasSize(report.findings().size());
    int suppressed = 0;
    for (JsonNode r : results) {
      assertThat(r.path("message").path("text").isTextual()).isTrue();
      assertThat(r.path("level").asText()).isIn("none", "note", "warning", "error");
      assertThat(ruleIds.get(r.path("ruleIndex").asInt())).isEqualTo(r.path("ruleId").asText());
      JsonNode physical = r.path("locations").get(0).path("physicalLocation");
      assertThat(physical.path("artifactLocation").path("uri").asText()).isNotEmpty();
      if (physical.has("region")) {
        assertThat(physical.path("region").path("startLine").asInt()).isGreaterThanOrEqualTo(1);
      } else {
        assertThat(
                r.path("locations")
                    .get(0)
                    .path("logicalLocations")
                    .get(0)
                    .path("fullyQualifiedName")
                    .asText())
            .startsWith("services.");
      }
      if (r.has("suppressions")) {
        suppressed++;
        assertThat(r.path("suppressions").get(0).path("kind").asText())
            .isIn(Set.of("inSource", "external"));
      }
    }
    assertThat(suppressed).isEqualTo(1);
  }

  @Test
  void junitParsesAsXmlWithFailuresForEnforcedAndSkippedForWaived() throws Exception {
    String xml = ReportFormat.JUNIT.render(report, false);
    Document doc =
        DocumentBuilderFactory.newInstance()
            .newDocumentBuilder()
            .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    Element root = doc.getDocumentElement();
    assertThat(root.getTagName()).isEqualTo("testsuites");
    assertThat(doc.getElementsByTagName("testsuite").getLength()).isEqualTo(2);
    NodeList cases = doc.getElementsByTagName("testcase");
    assertThat(cases.getLength()).isEqualTo(report.findings().size());
    assertThat(doc.getElementsByTagName("failure").getLength()).isEqualTo(report.blocking().size());
    NodeList skipped = doc.getElementsByTagName("skipped");
    assertThat(skipped.getLength()).isEqualTo(1);
    assertThat(((Element) skipped.item(0)).getAttribute("message"))
        .isEqualTo("waived: vendored <tarball> & \"quotes\" (apps/shop/Dockerfile:3)");
    assertThat(root.getAttribute("failures")).isEqualTo(String.valueOf(report.blocking().size()));
  }
}
