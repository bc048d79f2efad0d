package dev.stamp.controller.rollout;

import dev.stamp.controller.ControllerException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which hosts run how many replicas of each service. A service's constraints ({@code
 * node.labels.KEY == VALUE}, {@code !=}, {@code node.hostname == NAME}, {@code !=}; all must hold;
 * a missing label is unequal to everything) pick its hosts; its N replicas are spread evenly over
 * them (each gets N / hosts, the remainder one more each), starting at a host chosen by the
 * service's name, so one-replica services do not all land on the first host and the same inputs
 * always give the same placement.
 */
public final class Placement {

  private static final Pattern CONSTRAINT =
      Pattern.compile("\\s*node\\.(hostname|labels\\.([^\\s=!]+))\\s*(==|!=)\\s*(\\S+)\\s*");

  private Placement() {}

  /**
   * Places every service of {@code app} on {@code hosts}; BAD_INPUT naming the service and
   * constraint when a constraint cannot be read or no host matches.
   */
  public static PlacementPlan place(DesiredApp app, List<HostAgent> hosts)
      throws ControllerException {
    Map<String, Map<String, Integer>> out = new LinkedHashMap<>();
    for (DesiredService s : app.services()) {
      List<HostAgent> matching = new ArrayList<>(hosts);
      for (String c : s.constraints()) {
        List<HostAgent> kept = new ArrayList<>();
        for (HostAgent h : matching) {
          if (holds(app, s, c, h)) {
            kept.add(h);
          }
        }
        if (kept.isEmpty()) {
          throw ControllerException.badInput(
              "place app "
                  + app.name()
                  + ", service "
                  + s.name()
                  + ": no host matches constraint \""
                  + c
                  + "\" (with the ones before it) among "
                  + hosts.stream().map(HostAgent::name).toList());
        }
        matching = kept;
      }
      if (matching.isEmpty()) {
        throw ControllerException.badInput(
            "place app " + app.name() + ", service " + s.name() + ": no hosts to place it on");
      }
      Map<String, Integer> perHost = new LinkedHashMap<>();
      for (HostAgent h : hosts) {
        perHost.put(h.name(), 0);
      }
      int n = s.replicas();
      int m = matching.size();
      int start = Math.floorMod(s.name().hashCode(), m);
      for (int i = 0; i < m; i++) {
        HostAgent h = matching.get((start + i) % m);
        perHost.put(h.name(), n / m + (i < n % m ? 1 : 0));
      }
      out.put(s.name(), perHost);
    }
    return new PlacementPlan(out);
  }

  private static boolean holds(DesiredApp app, DesiredService s, String constraint, HostAgent h)
      throws ControllerException {
    Matcher m = CONSTRAINT.matcher(constraint);
    if (!m.matches()) {
      throw ControllerException.badInput(
          "place app "
              + app.name()
              + ", service "
              + s.name()
              + ": constraint \""
              + constraint
              + "\" is not node.labels.KEY ==|!= VALUE or node.hostname ==|!= NAME");
    }
    String have = m.group(2) != null ? h.labels().get(m.group(2)) : h.name();
    boolean equal = m.group(4).equals(have);
    return m.group(3).equals("==") ? equal : !equal;
  }
}
