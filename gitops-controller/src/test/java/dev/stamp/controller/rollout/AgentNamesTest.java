package dev.stamp.controller.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.controller.ControllerException;
import org.junit.jupiter.api.Test;

class AgentNamesTest {

  @Test
  void anAppsServiceIsAppDotService() throws Exception {
    assertThat(AgentNames.of("shop", "web")).isEqualTo("shop.web");
    assertThat(AgentNames.of("shop", "web.v2")).isEqualTo("shop.web.v2");
    assertThat(AgentNames.isOf("shop", "shop.web.v2")).isTrue();
    assertThat(AgentNames.serviceOf("shop", "shop.web.v2")).contains("web.v2");
  }

  @Test
  void anotherAppsServicesAreNotOurs() {
    assertThat(AgentNames.isOf("shop", "shopping.web")).isFalse();
    assertThat(AgentNames.isOf("shop", "shop")).isFalse();
    assertThat(AgentNames.isOf("shop", "shop.")).isFalse();
    assertThat(AgentNames.serviceOf("shop", "blog.web")).isEmpty();
  }

  @Test
  void namesTheAgentWouldRefuseAreBadInput() {
    assertThatThrownBy(() -> AgentNames.of("shop", "Web"))
        .isInstanceOf(ControllerException.class)
        .hasMessageContaining("app shop, service Web");
    assertThatThrownBy(() -> AgentNames.of("shop", "w".repeat(60)))
        .isInstanceOf(ControllerException.class)
        .hasMessageContaining("at most 58 characters");
    assertThatThrownBy(() -> AgentNames.of("my.shop", "web"))
        .isInstanceOf(ControllerException.class)
        .hasMessageContaining("app name");
  }
}
