package dev.stamp.runtime.seccomp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.runtime.StampException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SeccompFiltersTest {

  @TempDir Path tmp;

  @Test
  void recordsNameTheProfileAndStartsFindOneCompiledFilePerProfileAndCapabilities()
      throws Exception {
    Assumptions.assumeTrue(SeccompArch.host().isPresent(), "x86_64 or aarch64");
    SeccompFilters filters = new SeccompFilters(tmp);
    assertThat(filters.record(SeccompPolicy.DEFAULT)).isEqualTo("default");
    assertThat(filters.record(SeccompPolicy.UNCONFINED)).isEqualTo("unconfined");
    assertThat(filters.filterFor("unconfined", SeccompCompilerTest.DOCKER_CAPS, "a80425fb"))
        .isEmpty();

    Path dflt =
        filters.filterFor("default", SeccompCompilerTest.DOCKER_CAPS, "a80425fb").orElseThrow();
    assertThat(filters.filterFor(null, SeccompCompilerTest.DOCKER_CAPS, "a80425fb"))
        .as("a record from before seccomp")
        .contains(dflt);
    assertThat(BpfProgram.of(Files.readAllBytes(dflt)))
        .isEqualTo(
            SeccompCompiler.compile(
                SeccompProfile.dockerDefault(),
                SeccompCompilerTest.DOCKER_CAPS,
                SeccompArch.host().get(),
                SeccompFilters.kernel()));

    byte[] json =
        "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_ERRNO\"}]}"
            .getBytes(StandardCharsets.UTF_8);
    SeccompPolicy custom = SeccompPolicy.custom("/etc/custom.json", json);
    String word = filters.record(custom);
    assertThat(word).startsWith("sha256:");
    assertThat(tmp.resolve("profiles").resolve(word.substring(7) + ".json")).hasBinaryContent(json);
    Path compiled =
        filters.filterFor(word, SeccompCompilerTest.DOCKER_CAPS, "a80425fb").orElseThrow();
    assertThat(compiled).isNotEqualTo(dflt).exists();

    assertThatThrownBy(
            () ->
                new SeccompFilters(tmp.resolve("other"))
                    .filterFor(word, SeccompCompilerTest.DOCKER_CAPS, "a80425fb"))
        .hasMessageContaining("read the container's seccomp profile")
        .satisfies(
            e -> assertThat(((StampException) e).kind()).isEqualTo(StampException.Kind.FAILED));
  }
}
