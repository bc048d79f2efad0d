package dev.stamp.policies;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.policies.rules.DefaultRules;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every default rule has a clean fixture it passes and a violating fixture it catches. */
class DefaultRulesFixtureTest {

  static Stream<String> ruleIds() {
    return DefaultRules.all().stream().map(Rule::id);
  }

  @Test
  void thereAreAtLeastTwentyRulesWithStableWellFormedIds() {
    assertThat(DefaultRules.all()).hasSizeGreaterThanOrEqualTo(20);
    assertThat(DefaultRules.ids()).allMatch(id -> Rule.ID.matcher(id).matches());
  }

  @ParameterizedTest
  @MethodSource("ruleIds")
  void cleanFixturePasses(String id) throws Exception {
    Report report = Fixtures.engine(Fixtures.policy(id)).check(Fixtures.subjects(id, "clean"));
    assertThat(report.findings()).filteredOn(f -> f.ruleId().equals(id)).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("ruleIds")
  void violatingFixtureIsCaught(String id) throws Exception {
    Report report = Fixtures.engine(Fixtures.policy(id)).check(Fixtures.subjects(id, "violating"));
    List<Finding> mine = report.findings().stream().filter(f -> f.ruleId().equals(id)).toList();
    assertThat(mine).isNotEmpty();
    Rule rule = DefaultRules.all().stream().filter(r -> r.id().equals(id)).findFirst().get();
    assertThat(mine)
        .allSatisfy(
            f -> {
              assertThat(f.severity()).isEqualTo(rule.severity());
              assertThat(f.location().line() > 0 || !f.location().path().isEmpty()).isTrue();
              assertThat(f.message()).isNotBlank();
            });
  }
}
