package dev.stamp.runtime.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChallengeTest {

  @Test
  void parsesABearerChallengeWithQuotedParameters() {
    Challenge c =
        Challenge.pick(
                List.of(
                    "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
                        + "scope=\"repository:library/busybox:pull\""))
            .orElseThrow();
    assertThat(c.isBearer()).isTrue();
    assertThat(c.param("realm")).isEqualTo("https://auth.docker.io/token");
    assertThat(c.param("service")).isEqualTo("registry.docker.io");
    assertThat(c.param("scope")).isEqualTo("repository:library/busybox:pull");
  }

  @Test
  void prefersBearerOverBasicAcrossHeadersAndInOneHeader() {
    assertThat(
            Challenge.pick(List.of("Basic realm=\"a\"", "Bearer realm=\"http://x/t\""))
                .orElseThrow()
                .isBearer())
        .isTrue();
    List<Challenge> both = Challenge.parseAll("Basic realm=\"a\", Bearer realm=b, service=\"s\"");
    assertThat(both).hasSize(2);
    assertThat(both.get(1).param("realm")).isEqualTo("b");
    assertThat(both.get(1).param("service")).isEqualTo("s");
  }

  @Test
  void keepsEscapedQuotesAndCommasInsideQuotedValues() {
    Challenge c = Challenge.parseAll("Basic realm=\"my \\\"home\\\", registry\"").get(0);
    assertThat(c.isBasic()).isTrue();
    assertThat(c.param("realm")).isEqualTo("my \"home\", registry");
  }

  @Test
  void noChallengeWhenTheHeaderIsMissingOrUnknown() {
    assertThat(Challenge.pick(List.of())).isEmpty();
    assertThat(Challenge.pick(List.of("Negotiate abc"))).isEmpty();
  }
}
