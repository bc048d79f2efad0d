package dev.stamp.builder.dockerfile;

import static dev.stamp.builder.dockerfile.DockerfileParserTest.parse;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link Instruction#keyword()} comes from the type's name: every instruction the parser makes
 * answers the keyword it was written with, and every permitted type is covered here, so a new one
 * that breaks the naming rule fails this test.
 */
class InstructionKeywordTest {

  static final List<String> LINES =
      List.of(
          "RUN true",
          "CMD [\"sh\"]",
          "ENTRYPOINT [\"sh\"]",
          "LABEL a=1",
          "MAINTAINER someone",
          "EXPOSE 80",
          "ENV A=1",
          "ADD a /a",
          "COPY a /a",
          "VOLUME /v",
          "USER 1000",
          "WORKDIR /w",
          "ARG A=1",
          "ONBUILD RUN true",
          "STOPSIGNAL SIGTERM",
          "HEALTHCHECK NONE",
          "SHELL [\"/bin/sh\", \"-c\"]");

  @Test
  void everyInstructionAnswersTheKeywordItWasWrittenWith() throws Exception {
    Set<Class<?>> seen = new HashSet<>();
    Stage stage = parse("FROM scratch").stages().get(0);
    assertThat(stage.from().keyword()).isEqualTo("FROM");
    seen.add(stage.from().getClass());
    for (String line : LINES) {
      Instruction in = parse("FROM scratch", line).stages().get(0).instructions().get(0);
      String written = line.substring(0, line.indexOf(' '));
      assertThat(in.keyword()).as(line).isEqualTo(written);
      assertThat(in.getClass().getSimpleName())
          .as(line)
          .isEqualTo(
              written.charAt(0) + written.substring(1).toLowerCase(Locale.ROOT) + "Instruction");
      seen.add(in.getClass());
    }
    assertThat(seen).containsExactlyInAnyOrder(Instruction.class.getPermittedSubclasses());
  }
}
