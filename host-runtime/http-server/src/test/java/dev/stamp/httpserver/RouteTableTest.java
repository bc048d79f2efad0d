package dev.stamp.httpserver;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RouteTableTest {

  record R(String method, String template) implements RouteTable.Route {}

  private final RouteTable<R> table =
      new RouteTable<>(
          List.of(
              new R("GET", "/v1/apps"),
              new R("GET", "/v1/apps/{app}"),
              new R("PUT", "/v1/apps/{app}"),
              new R("GET", "/v1/apps/{app}/releases/{id}")));

  @Test
  void findsTheRouteAndItsSegmentsInOrder() {
    assertThat(table.match("GET", "/v1/apps/shop/releases/12"))
        .isEqualTo(
            new RouteTable.Found<>(
                new R("GET", "/v1/apps/{app}/releases/{id}"), List.of("shop", "12")));
    assertThat(table.match("PUT", "/v1/apps/shop"))
        .isEqualTo(new RouteTable.Found<>(new R("PUT", "/v1/apps/{app}"), List.of("shop")));
    assertThat(table.match("GET", "/v1/apps"))
        .isEqualTo(new RouteTable.Found<>(new R("GET", "/v1/apps"), List.of()));
  }

  @Test
  void aKnownPathUnderAnotherMethodListsTheAllowedOnes() {
    assertThat(table.match("DELETE", "/v1/apps/shop"))
        .isEqualTo(new RouteTable.WrongMethod<R>(List.of("GET", "PUT")));
    assertThat(table.match("POST", "/v1/apps"))
        .isEqualTo(new RouteTable.WrongMethod<R>(List.of("GET")));
  }

  @Test
  void aSegmentNeverSpansASlashAndUnknownPathsAreNotFound() {
    assertThat(table.match("GET", "/v1/apps/shop/x")).isEqualTo(new RouteTable.NotFound<R>());
    assertThat(table.match("GET", "/v1/apps/a/b/releases/1"))
        .isEqualTo(new RouteTable.NotFound<R>());
    assertThat(table.match("GET", "/v1/apps/")).isEqualTo(new RouteTable.NotFound<R>());
    assertThat(table.match("GET", "/v1/appsx")).isEqualTo(new RouteTable.NotFound<R>());
  }
}
