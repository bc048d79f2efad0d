package dev.stamp.httpserver;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The routes an API answers, matched in order: a path template's {@code {name}} is one path
 * segment. A request finds its route and the segments' values, or learns that the path is known
 * only under other methods (405 with {@code Allow}), or not at all (404).
 */
public final class RouteTable<R extends RouteTable.Route> {

  /** One route: a method and a path template. */
  public interface Route {
    String method();

    String template();
  }

  /** What a request found. */
  public sealed interface Match<R> {}

  /** The route and the values of its {@code {name}} segments, in order. */
  public record Found<R>(R route, List<String> params) implements Match<R> {}

  /** The path is served, but only under {@code allowed}. */
  public record WrongMethod<R>(List<String> allowed) implements Match<R> {}

  /** No route has this path. */
  public record NotFound<R>() implements Match<R> {}

  private final List<R> routes;
  private final List<Pattern> patterns;

  public RouteTable(List<R> routes) {
    this.routes = List.copyOf(routes);
    this.patterns =
        this.routes.stream()
            .map(
                r ->
                    Pattern.compile(
                        Objects.requireNonNull(r.template()).replaceAll("\\{[a-z]+}", "([^/]+)")))
            .toList();
  }

  public List<R> routes() {
    return routes;
  }

  public Match<R> match(String method, String path) {
    List<String> allowed = new ArrayList<>();
    for (int i = 0; i < routes.size(); i++) {
      Matcher m = patterns.get(i).matcher(path);
      if (!m.matches()) {
        continue;
      }
      R route = routes.get(i);
      if (route.method().equals(method)) {
        List<String> params = new ArrayList<>(m.groupCount());
        for (int g = 1; g <= m.groupCount(); g++) {
          params.add(m.group(g));
        }
        return new Found<>(route, List.copyOf(params));
      }
      if (!allowed.contains(route.method())) {
        allowed.add(route.method());
      }
    }
    return allowed.isEmpty() ? new NotFound<>() : new WrongMethod<>(List.copyOf(allowed));
  }
}
