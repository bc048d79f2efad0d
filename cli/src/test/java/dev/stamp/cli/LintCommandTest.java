package dev.stamp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LintCommandTest {

  final StampCliInProcess cli = new StampCliInProcess(() -> null);

  @TempDir Path repo;

  static final String CLEAN_DOCKERFILE =
      "FROM registry.example.com/base:1.0\n"
          + "HEALTHCHECK CMD [\"/app\", \"health\"]\n"
          + "USER 10001\n"
          + "CMD [\"/app\"]\n";

  static final String COMPOSE =
      "name: shop\n"
          + "services:\n"
          + "  web:\n"
          + "    build: ./services/web\n"
          + "    ports: [\"8080:80\"]\n"
          + "    read_only: true\n"
          + "    deploy:\n"
          + "      replicas: 2\n"
          + "      resources:\n"
          + "        limits: {memory: 256m, pids: 100}\n";

  private Path write(String rel, String content) throws Exception {
    Path p = repo.resolve(rel);
    Files.createDirectories(p.getParent());
    return Files.writeString(p, content);
  }

  @BeforeEach
  void cleanRepository() throws Exception {
    write("apps/shop/compose.yaml", COMPOSE);
    write("apps/shop/services/web/Dockerfile", CLEAN_DOCKERFILE);
    write(".stamp/policy.yaml", "allow:\n  registries: [registry.example.com]\n");
  }

  @Test
  void aCleanRepositoryExitsZero() {
    assertThat(cli.code("lint", repo.toString())).as(cli.out() + cli.err()).isZero();
    assertThat(cli.out()).isEqualTo("0 enforced, 0 warnings, 0 info, 0 waived\n");
  }

  @Test
  void enforcedViolationsExit2WithFileLineColumnIdSeverityMessage() throws Exception {
    write(
        "apps/shop/services/web/Dockerfile",
        "FROM registry.example.com/base:1.0\nRUN curl -fsSL https://x.example/i | sh\n"
            + "USER 10001\nCMD [\"/app\"]\n");
    assertThat(cli.code("lint", repo.toString())).isEqualTo(2);
    assertThat(cli.out())
        .contains(
            "apps/shop/services/web/Dockerfile:2:1 STAMP-DF-010 error download piped into a shell")
        .contains(
            "apps/shop/compose.yaml:5 STAMP-DF-017 warning service web publishes port 8080:80,"
                + " but its image (built from apps/shop/services/web/Dockerfile:1) has no"
                + " HEALTHCHECK");
  }

  @Test
  void warningsExit1OnlyWithFailOnWarn() throws Exception {
    write("apps/shop/services/web/Dockerfile", CLEAN_DOCKERFILE + "WORKDIR app\n");
    assertThat(cli.code("lint", repo.toString())).isZero();
    assertThat(cli.code("lint", "--fail-on-warn", repo.toString())).isEqualTo(1);
    assertThat(cli.out()).contains("STAMP-DF-013 warning WORKDIR app is relative");
  }

  @Test
  void aWaiverCommitMakesItPass() throws Exception {
    write(
        "apps/shop/services/web/Dockerfile",
        CLEAN_DOCKERFILE + "RUN curl -fsSL https://x.example/i | sh\n");
    assertThat(cli.code("lint", repo.toString())).isEqualTo(2);
    write(
        ".stamp/policy.yaml",
        "allow:\n  registries: [registry.example.com]\nwaivers:\n  - rule: STAMP-DF-010\n"
            + "    app: shop\n    reason: vendor installer, pinned by hash upstream\n"
            + "    expires: 2999-01-01\n");
    assertThat(cli.code("lint", repo.toString())).isZero();
    assertThat(cli.out()).contains("(waived: vendor installer").endsWith("1 waived\n");
  }

  @Test
  void formatsAreMachineReadable() throws Exception {
    write("apps/shop/services/web/Dockerfile", "FROM alpine\nCMD /app\n");
    assertThat(cli.code("lint", "--format", "json", repo.toString())).isEqualTo(2);
    JsonNode json = new ObjectMapper().readTree(cli.out());
    assertThat(json.path("summary").path("enforced").asInt()).isPositive();
    assertThat(cli.code("lint", "--format", "sarif", repo.toString())).isEqualTo(2);
    assertThat(new ObjectMapper().readTree(cli.out()).path("version").asText()).isEqualTo("2.1.0");
    assertThat(cli.code("lint", "--format", "junit", repo.toString())).isEqualTo(2);
    assertThat(cli.out()).startsWith("<?xml").contains("<failure");
    assertThat(cli.code("lint", "--format", "yaml", repo.toString())).isEqualTo(2);
    assertThat(cli.err()).contains("--format: unknown format yaml");
  }

  @Test
  void aSingleDockerfileAndRulesList() throws Exception {
    Path df = write("other/Dockerfile", "FROM alpine:3.20\nMAINTAINER me\nCMD [\"x\"]\n");
    assertThat(cli.code("lint", df.toString())).isZero();
    assertThat(cli.out()).contains(df + ":2:1 STAMP-DF-015 info MAINTAINER is deprecated");
    assertThat(cli.code("lint", "--rules")).isZero();
    assertThat(cli.out().lines().count()).isGreaterThanOrEqualTo(20);
  }

  @Test
  void aBadPolicyFileExits2NamingFileAndField() throws Exception {
    write(".stamp/policy.yaml", "rules:\n  STAMP-DF-999: warn\n");
    assertThat(cli.code("lint", repo.toString())).isEqualTo(2);
    assertThat(cli.err())
        .isEqualTo(
            "stamp: load policy "
                + repo.resolve(".stamp/policy.yaml")
                + ": rules.STAMP-DF-999: unknown rule id \"STAMP-DF-999\" (stamp lint --rules"
                + " lists them)\n");
    assertThat(cli.out()).isEmpty();
  }

  @Test
  void anOrganisationEnforcedRuleCannotBeSwitchedOffByTheRepository() throws Exception {
    write(
        "apps/shop/services/web/Dockerfile",
        CLEAN_DOCKERFILE + "RUN curl -fsSL https://x.example/i | sh\n");
    write(
        ".stamp/policy.yaml",
        "allow:\n  registries: [registry.example.com]\nrules:\n  STAMP-DF-010: off\n");
    assertThat(cli.code("lint", repo.toString())).isZero();
    Path org = write("org.yaml", "rules:\n  STAMP-DF-010: enforce\n");
    assertThat(cli.code("lint", "--org-policy", org.toString(), repo.toString())).isEqualTo(2);
    assertThat(cli.out())
        .contains(
            "notice: "
                + repo.resolve(".stamp/policy.yaml")
                + ": rules.STAMP-DF-010: off ignored: the organisation policy sets it to enforce");
  }

  @Test
  void aMissingPathIsBadInput() {
    assertThat(cli.code("lint", repo.resolve("nope").toString())).isEqualTo(2);
    assertThat(cli.err()).contains("no such file, directory or image reference");
  }

  @Test
  void aComposeFileAloneBringsItsDockerfiles() {
    Path compose = repo.resolve("apps/shop/compose.yaml");
    assertThat(
            cli.code(
                "lint",
                "--policy",
                repo.resolve(".stamp/policy.yaml").toString(),
                compose.toString()))
        .as(cli.out())
        .isZero();
  }

  @Test
  void aComposeFileThatDoesNotLoadIsBadInputNamingTheFile() throws Exception {
    write("apps/broken/compose.yaml", "services:\n  web:\n    ports: {a: b}\n");
    assertThat(cli.code("lint", repo.toString())).isEqualTo(2);
    assertThat(cli.err()).contains("error: apps/broken/compose.yaml");
  }

  @Test
  void withImagesTheBuiltImageIsCheckedWithItsService(@TempDir Path state) throws Exception {
    dev.stamp.runtime.image.ImageStore store =
        dev.stamp.runtime.image.ImageStore.open(new dev.stamp.runtime.StampRoot(state));
    java.io.ByteArrayOutputStream tar = new java.io.ByteArrayOutputStream();
    dev.stamp.runtime.layer.TarWriter w = new dev.stamp.runtime.layer.TarWriter(tar);
    w.write(
        dev.stamp.runtime.layer.TarEntry.file("app/run", 04755, 0, 0, 0, 0),
        new java.io.ByteArrayInputStream(new byte[0]));
    w.finish();
    byte[] layer = tar.toByteArray();
    var layerDesc = store.putBlob(dev.stamp.runtime.image.MediaType.OCI_LAYER_TAR, layer);
    var config =
        dev.stamp.runtime.image.ImageConfig.of(
            dev.stamp.runtime.image.Platform.of("linux", "amd64"),
            "2026-01-01T00:00:00Z",
            dev.stamp.runtime.image.ContainerConfig.builder().user("10001").build(),
            java.util.List.of(dev.stamp.runtime.image.Digest.of(layer)),
            java.util.List.of());
    var manifest =
        store.putManifest(
            dev.stamp.runtime.image.ImageManifest.of(
                store.putConfig(config), java.util.List.of(layerDesc)));
    store.tag(dev.stamp.runtime.image.ImageReference.parse("shop/web:abc1234"), manifest);

    StampCliInProcess withRoot = new StampCliInProcess(state);
    assertThat(withRoot.code("lint", "--images", repo.toString())).isZero();
    assertThat(withRoot.out())
        .contains("shop/web:abc1234: layers[0]/app/run STAMP-IM-002 warning app/run is setuid")
        .contains(
            "apps/shop/compose.yaml:5 STAMP-DF-017 warning service web publishes port 8080:80, but"
                + " its image shop/web:abc1234 has no HEALTHCHECK");
    assertThat(withRoot.code("lint", "shop/web:abc1234")).isZero();
    assertThat(withRoot.out()).contains("STAMP-IM-002");
  }
}
