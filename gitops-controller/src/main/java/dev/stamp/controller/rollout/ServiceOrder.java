package dev.stamp.controller.rollout;

import dev.stamp.controller.ControllerException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The order services roll out in: every service after what it {@code depends_on}, otherwise in the
 * app's order. A dependency on a service the app lacks is BAD_INPUT unless it says {@code required:
 * false}; a cycle is BAD_INPUT naming it ({@code a -> b -> a}).
 */
final class ServiceOrder {

  private ServiceOrder() {}

  static List<String> of(DesiredApp app) throws ControllerException {
    Map<String, DesiredService> byName = new LinkedHashMap<>();
    app.services().forEach(s -> byName.put(s.name(), s));
    for (DesiredService s : app.services()) {
      for (var d : s.dependsOn().entrySet()) {
        if (!byName.containsKey(d.getKey()) && (d.getValue() == null || d.getValue().required())) {
          throw ControllerException.badInput(
              "order app "
                  + app.name()
                  + " at "
                  + app.release()
                  + ": service "
                  + s.name()
                  + " depends on "
                  + d.getKey()
                  + ", which the app does not have");
        }
      }
    }
    List<String> out = new ArrayList<>();
    Set<String> done = new HashSet<>();
    for (DesiredService s : app.services()) {
      visit(app, s.name(), byName, done, new ArrayList<>(), out);
    }
    return out;
  }

  private static void visit(
      DesiredApp app,
      String name,
      Map<String, DesiredService> byName,
      Set<String> done,
      List<String> path,
      List<String> out)
      throws ControllerException {
    if (done.contains(name) || !byName.containsKey(name)) {
      return;
    }
    int at = path.indexOf(name);
    if (at >= 0) {
      List<String> cycle = new ArrayList<>(path.subList(at, path.size()));
      cycle.add(name);
      throw ControllerException.badInput(
          "order app "
              + app.name()
              + " at "
              + app.release()
              + ": depends_on has a cycle: "
              + String.join(" -> ", cycle));
    }
    path.add(name);
    for (String dep : byName.get(name).dependsOn().keySet()) {
      visit(app, dep, byName, done, path, out);
    }
    path.remove(path.size() - 1);
    done.add(name);
    out.add(name);
  }

  /** The services {@code name} depends on that the app has. */
  static List<String> dependencies(DesiredApp app, String name) {
    List<String> out = new ArrayList<>();
    app.service(name)
        .ifPresent(
            s ->
                s.dependsOn().keySet().stream()
                    .filter(d -> app.service(d).isPresent())
                    .forEach(out::add));
    return out;
  }
}
