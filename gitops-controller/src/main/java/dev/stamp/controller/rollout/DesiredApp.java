package dev.stamp.controller.rollout;

import dev.stamp.agent.api.ServiceSpec;
import dev.stamp.controller.ControllerException;
import dev.stamp.controller.compose.ComposeApp;
import dev.stamp.controller.compose.ComposeException;
import dev.stamp.controller.compose.ComposeService;
import dev.stamp.controller.compose.ServiceSpecs;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What one release of an app asks the hosts to run: the app's name, the release ({@code a1b2c3d},
 * the short commit) and its services with images already built.
 */
public record DesiredApp(String name, String release, List<DesiredService> services) {

  public DesiredApp {
    if (name == null || !AgentNames.APP_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "desired app: the name must match [a-z0-9][a-z0-9_-]*, got " + name);
    }
    if (release == null || release.isBlank()) {
      throw new IllegalArgumentException("desired app " + name + ": a release is required");
    }
    services = List.copyOf(services);
    Set<String> seen = new HashSet<>();
    for (DesiredService s : services) {
      if (!seen.add(s.name())) {
        throw new IllegalArgumentException(
            "desired app " + name + ": service " + s.name() + " twice");
      }
    }
  }

  /**
   * The app {@code compose} describes at {@code release}, each service's image the digest {@code
   * imageDigests} holds for it ({@code NAME@sha256:…} or {@code sha256:…}); BAD_INPUT when one is
   * missing or a service cannot be mapped to an agent spec (the Compose problems, with their path).
   */
  public static DesiredApp of(ComposeApp compose, String release, Map<String, String> imageDigests)
      throws ControllerException {
    AgentNames.checkApp(compose.name());
    List<DesiredService> services = new ArrayList<>();
    for (ComposeService s : compose.services().values()) {
      String digest = imageDigests.get(s.name());
      if (digest == null) {
        throw ControllerException.badInput(
            "app "
                + compose.name()
                + " at "
                + release
                + ", service "
                + s.name()
                + ": no image digest was given for it (built or pulled images: "
                + imageDigests.keySet()
                + ")");
      }
      AgentNames.of(compose.name(), s.name());
      ServiceSpec spec;
      try {
        spec = ServiceSpecs.of(compose, s, digest);
      } catch (ComposeException e) {
        throw new ControllerException(
            "app " + compose.name() + " at " + release + ", service " + s.name(), e);
      }
      ComposeService.Deploy d = s.deploy();
      services.add(
          new DesiredService(
              s.name(),
              spec,
              d == null ? List.of() : d.constraints(),
              s.dependsOn(),
              UpdatePolicy.from(d == null ? null : d.updateConfig()),
              UpdatePolicy.from(d == null ? null : d.rollbackConfig())));
    }
    return new DesiredApp(compose.name(), release, services);
  }

  public Optional<DesiredService> service(String service) {
    return services.stream().filter(s -> s.name().equals(service)).findFirst();
  }

  public DesiredApp withService(DesiredService service) {
    List<DesiredService> out = new ArrayList<>();
    boolean replaced = false;
    for (DesiredService s : services) {
      if (s.name().equals(service.name())) {
        out.add(service);
        replaced = true;
      } else {
        out.add(s);
      }
    }
    if (!replaced) {
      out.add(service);
    }
    return new DesiredApp(name, release, out);
  }

  public DesiredApp withRelease(String value) {
    return new DesiredApp(name, value, services);
  }
}
