package dev.stamp.controller.compose;

import dev.stamp.agent.api.Problem;
import dev.stamp.agent.api.ServiceSpec;
import dev.stamp.controller.yaml.Problems;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A loaded Compose service as the agent runs it on one host: a {@link ServiceSpec}. The image is
 * the digest the controller resolved (built or pulled), durations become ISO-8601 ({@code
 * PT1M30S}), named volumes are the app's ({@code APP_NAME}, as Compose names them), secrets the
 * agent-host files of their top-level definitions. What Compose can say and the agent cannot run
 * yet (an unpublished or ranged port, anonymous volumes, secret targets outside {@code
 * /run/secrets}, secret uid/gid/mode) is an error naming the Compose field, as is everything {@link
 * ServiceSpec#problems()} finds, under Compose's names.
 *
 * <p>build, depends_on, rollback_config, update_config's failure_action and monitor, and placement
 * are the controller's (order of rollout, rollback, choice of hosts), not the agent's.
 */
public final class ServiceSpecs {

  private static final String SECRETS_DIR = "/run/secrets/";

  private ServiceSpecs() {}

  /** {@code service} of {@code app} with image {@code imageDigest} ({@code NAME@sha256:…}). */
  public static ServiceSpec of(ComposeApp app, ComposeService service, String imageDigest)
      throws ComposeException {
    Problems problems = new Problems(app.file());
    String at = "services." + service.name();
    Map<String, String> env = new LinkedHashMap<>();
    service
        .environment()
        .forEach(
            (k, v) -> {
              if (v != null) {
                env.put(k, v);
              }
            });
    ServiceSpec spec =
        new ServiceSpec(
            imageDigest,
            service.command(),
            service.entrypoint(),
            env,
            ports(app, service, at, problems),
            volumes(app, service, at, problems),
            secrets(app, service, at, problems),
            resources(service.deploy()),
            service.user(),
            service.workingDir(),
            service.readOnly(),
            service.init(),
            healthcheck(app, service.healthcheck(), at, problems),
            service.deploy() == null ? null : service.deploy().replicas(),
            update(service.deploy()),
            service.stopSignal(),
            iso(service.stopGracePeriod()),
            null);
    for (Problem p : spec.problems()) {
      error(app, problems, at + "." + composeName(p.field()), p.message());
    }
    if (problems.hasErrors()) {
      throw new ComposeException(ComposeProblem.of(problems.errors()), List.of());
    }
    return spec;
  }

  private static List<ServiceSpec.Port> ports(
      ComposeApp app, ComposeService s, String at, Problems problems) {
    List<ServiceSpec.Port> out = new ArrayList<>();
    for (int i = 0; i < s.ports().size(); i++) {
      ComposeService.Port p = s.ports().get(i);
      String published = p.published();
      if (published == null || !published.matches("[0-9]+") || published.equals("0")) {
        error(
            app,
            problems,
            at + ".ports[" + i + "].published",
            "the agent needs a fixed host port (HOST:CONTAINER), got "
                + (published == null ? "none" : "\"" + published + "\""));
        continue;
      }
      out.add(
          new ServiceSpec.Port(p.target(), Integer.parseInt(published), p.hostIp(), p.protocol()));
    }
    return out;
  }

  private static List<ServiceSpec.Volume> volumes(
      ComposeApp app, ComposeService s, String at, Problems problems) {
    List<ServiceSpec.Volume> out = new ArrayList<>();
    for (int i = 0; i < s.volumes().size(); i++) {
      ComposeService.Mount m = s.volumes().get(i);
      if (m.type().equals("volume") && m.source() == null) {
        error(
            app,
            problems,
            at + ".volumes[" + i + "]",
            "anonymous volumes are not supported: name it (NAME:" + m.target() + ")");
        continue;
      }
      String source = m.type().equals("volume") ? volumeName(app, m.source()) : m.source();
      out.add(
          new ServiceSpec.Volume(m.type(), source, m.target(), m.readOnly() ? Boolean.TRUE : null));
    }
    return out;
  }

  /** A named volume on the host is the app's: {@code APP_NAME}, as Compose names it. */
  public static String volumeName(ComposeApp app, String volume) {
    return app.name() + "_" + volume;
  }

  private static List<ServiceSpec.Secret> secrets(
      ComposeApp app, ComposeService s, String at, Problems problems) {
    List<ServiceSpec.Secret> out = new ArrayList<>();
    for (int i = 0; i < s.secrets().size(); i++) {
      ComposeService.SecretRef r = s.secrets().get(i);
      String path = at + ".secrets[" + i + "]";
      String target = r.target();
      String name =
          target.startsWith(SECRETS_DIR) ? target.substring(SECRETS_DIR.length()) : target;
      if (name.isEmpty() || name.contains("/")) {
        error(
            app,
            problems,
            path + ".target",
            "the agent mounts a secret at /run/secrets/NAME, got \"" + target + "\"");
        continue;
      }
      if (r.uid() != null || r.gid() != null || r.mode() != null) {
        error(
            app,
            problems,
            path,
            "uid, gid and mode are not supported by the agent yet (0400, root)");
      }
      ComposeApp.Secret def = app.secrets().get(r.source());
      if (def == null) {
        error(app, problems, path + ".source", "undefined secret \"" + r.source() + "\"");
        continue;
      }
      out.add(new ServiceSpec.Secret(name, def.path()));
    }
    return out;
  }

  private static ServiceSpec.Resources resources(ComposeService.Deploy d) {
    if (d == null || d.limits() == null) {
      return null;
    }
    ComposeService.Limits l = d.limits();
    return new ServiceSpec.Resources(l.memoryBytes(), l.cpus(), l.pids());
  }

  private static ServiceSpec.Healthcheck healthcheck(
      ComposeApp app, ComposeService.Healthcheck h, String at, Problems problems) {
    if (h == null) {
      return null;
    }
    List<String> test = h.disable() ? List.of("NONE") : h.test();
    if (test == null) {
      error(
          app,
          problems,
          at + ".healthcheck.test",
          "required by the agent when a healthcheck is given: [\"CMD\", …], [\"CMD-SHELL\", \"…\"]"
              + " or [\"NONE\"]");
      return null;
    }
    return new ServiceSpec.Healthcheck(
        test,
        iso(h.interval()),
        iso(h.timeout()),
        h.retries(),
        iso(h.startPeriod()),
        iso(h.startInterval()));
  }

  private static ServiceSpec.Update update(ComposeService.Deploy d) {
    if (d == null || d.updateConfig() == null) {
      return null;
    }
    ComposeService.UpdateConfig u = d.updateConfig();
    return new ServiceSpec.Update(u.order(), u.parallelism(), iso(u.delay()));
  }

  private static void error(ComposeApp app, Problems problems, String path, String message) {
    ComposeApp.Position at = app.position(path);
    problems.error(at.line(), at.column(), path, message);
  }

  /** ISO-8601, as the agent's wire form has it: {@code PT1M30S}, {@code PT0.5S}. */
  static String iso(Duration d) {
    return d == null ? null : d.toString();
  }

  /** An agent field path under Compose's names: {@code resources.memoryBytes} → memory's. */
  static String composeName(String agentField) {
    String[][] names = {
      {"env", "environment"},
      {"resources.memoryBytes", "deploy.resources.limits.memory"},
      {"resources.cpus", "deploy.resources.limits.cpus"},
      {"resources.pids", "deploy.resources.limits.pids"},
      {"workingDir", "working_dir"},
      {"readOnly", "read_only"},
      {"healthcheck.startPeriod", "healthcheck.start_period"},
      {"healthcheck.startInterval", "healthcheck.start_interval"},
      {"replicas", "deploy.replicas"},
      {"update", "deploy.update_config"},
      {"stopSignal", "stop_signal"},
      {"stopGracePeriod", "stop_grace_period"},
      {"image", "image (the resolved digest)"},
    };
    for (String[] n : names) {
      if (agentField.equals(n[0]) || agentField.startsWith(n[0] + ".")) {
        return n[1] + agentField.substring(n[0].length());
      }
    }
    return agentField.replace("hostIp", "host_ip").replace("readOnly", "read_only");
  }
}
