package dev.stamp.runtime.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.runtime.HostRuntimeException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigChangesTest {

  private static ContainerConfig apply(String... changes) throws HostRuntimeException {
    return ConfigChanges.apply(ContainerConfig.EMPTY, List.of(changes));
  }

  @Test
  void jsonAndShellForms() throws Exception {
    assertThat(apply("CMD [\"sh\", \"-c\", \"echo hi\"]").cmd())
        .containsExactly("sh", "-c", "echo hi");
    assertThat(apply("CMD echo $HOME").cmd()).containsExactly("/bin/sh", "-c", "echo $HOME");
    assertThat(apply("ENTRYPOINT [\"/bin/app\"]").entrypoint()).containsExactly("/bin/app");
    assertThat(apply("cmd [not json").cmd()).containsExactly("/bin/sh", "-c", "[not json");
  }

  @Test
  void envLabelWorkdirUserExposeStopsignalVolume() throws Exception {
    ContainerConfig c =
        apply(
            "ENV A=1 B=\"two words\" C=x\\ y",
            "ENV LEGACY value with spaces",
            "ENV A=3",
            "LABEL org.opencontainers.image.source=\"https://x\" k=v",
            "WORKDIR /srv",
            "WORKDIR app",
            "USER 1000:1000",
            "EXPOSE 80 53/udp 8000-8010",
            "STOPSIGNAL SIGQUIT",
            "VOLUME [\"/data\", \"/logs\"]");
    assertThat(c.env()).containsExactly("A=3", "B=two words", "C=x y", "LEGACY=value with spaces");
    assertThat(c.labels())
        .containsEntry("org.opencontainers.image.source", "https://x")
        .containsEntry("k", "v");
    assertThat(c.workingDir()).isEqualTo("/srv/app");
    assertThat(c.user()).isEqualTo("1000:1000");
    assertThat(c.exposedPorts()).containsExactlyInAnyOrder("80/tcp", "53/udp", "8000-8010/tcp");
    assertThat(c.stopSignal()).isEqualTo("SIGQUIT");
    assertThat(c.volumes()).containsExactly("/data", "/logs");
  }

  @Test
  void badChangesNameTheChange() {
    assertThatThrownBy(() -> apply("RUN rm -rf /"))
        .isInstanceOf(HostRuntimeException.class)
        .hasMessage(
            "--change \"RUN rm -rf /\": unsupported instruction RUN (supported: CMD, ENTRYPOINT,"
                + " ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR)");
    assertThatThrownBy(() -> apply("EXPOSE http")).hasMessageContaining("EXPOSE needs PORT");
    assertThatThrownBy(() -> apply("CMD")).hasMessage("--change \"CMD\": CMD needs arguments");
    assertThatThrownBy(() -> apply("ENV A=\"open")).hasMessageContaining("unterminated \" quote");
    assertThatThrownBy(() -> apply("LABEL =v")).hasMessageContaining("KEY=VALUE pairs");
  }
}
