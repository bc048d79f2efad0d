package dev.stamp.controller.compose;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An app in Compose's normalized JSON form (as {@code docker compose config --format json} prints
 * compose-go's model, in canonical units): durations in integer nanoseconds, memory in bytes,
 * secret modes as integers, {@code published} as a string. {@code stamp plan --format json}.
 */
public final class ComposeJson {

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ComposeJson() {}

  public static String render(ComposeApp app) {
    try {
      return JSON.writeValueAsString(toMap(app)) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("render " + app.name(), e);
    }
  }

  /** The app as plain maps and lists, Compose's field names. */
  public static Map<String, Object> toMap(ComposeApp app) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("name", app.name());
    Map<String, Object> services = new LinkedHashMap<>();
    app.services().forEach((name, s) -> services.put(name, service(s)));
    out.put("services", services);
    if (!app.volumes().isEmpty()) {
      Map<String, Object> volumes = new LinkedHashMap<>();
      app.volumes().forEach(v -> volumes.put(v, Map.of("name", app.name() + "_" + v)));
      out.put("volumes", volumes);
    }
    if (!app.secrets().isEmpty()) {
      Map<String, Object> secrets = new LinkedHashMap<>();
      app.secrets()
          .forEach(
              (k, s) -> secrets.put(k, Map.of("name", app.name() + "_" + k, "file", s.path())));
      out.put("secrets", secrets);
    }
    out.putAll(app.extensions());
    return out;
  }

  private static Map<String, Object> service(ComposeService s) {
    Map<String, Object> m = new LinkedHashMap<>();
    if (s.build() != null) {
      Map<String, Object> b = new LinkedHashMap<>();
      b.put("context", s.build().context());
      b.put("dockerfile", s.build().dockerfile());
      if (!s.build().args().isEmpty()) {
        b.put("args", s.build().args());
      }
      put(b, "target", s.build().target());
      m.put("build", b);
    }
    put(m, "image", s.image());
    put(m, "command", s.command());
    put(m, "entrypoint", s.entrypoint());
    if (!s.environment().isEmpty()) {
      m.put("environment", s.environment());
    }
    if (!s.ports().isEmpty()) {
      List<Object> ports = new ArrayList<>();
      for (ComposeService.Port p : s.ports()) {
        Map<String, Object> pm = new LinkedHashMap<>();
        pm.put("mode", p.mode());
        put(pm, "host_ip", p.hostIp());
        pm.put("target", p.target());
        put(pm, "published", p.published());
        pm.put("protocol", p.protocol());
        ports.add(pm);
      }
      m.put("ports", ports);
    }
    if (!s.volumes().isEmpty()) {
      List<Object> volumes = new ArrayList<>();
      for (ComposeService.Mount v : s.volumes()) {
        Map<String, Object> vm = new LinkedHashMap<>();
        vm.put("type", v.type());
        put(vm, "source", v.source());
        vm.put("target", v.target());
        if (v.readOnly()) {
          vm.put("read_only", true);
        }
        volumes.add(vm);
      }
      m.put("volumes", volumes);
    }
    if (!s.secrets().isEmpty()) {
      List<Object> secrets = new ArrayList<>();
      for (ComposeService.SecretRef r : s.secrets()) {
        Map<String, Object> sm = new LinkedHashMap<>();
        sm.put("source", r.source());
        sm.put("target", r.target());
        put(sm, "uid", r.uid());
        put(sm, "gid", r.gid());
        put(sm, "mode", r.mode());
        secrets.add(sm);
      }
      m.put("secrets", secrets);
    }
    if (s.healthcheck() != null) {
      ComposeService.Healthcheck h = s.healthcheck();
      Map<String, Object> hm = new LinkedHashMap<>();
      put(hm, "test", h.test());
      put(hm, "interval", nanos(h.interval()));
      put(hm, "timeout", nanos(h.timeout()));
      put(hm, "retries", h.retries());
      put(hm, "start_period", nanos(h.startPeriod()));
      put(hm, "start_interval", nanos(h.startInterval()));
      if (h.disable()) {
        hm.put("disable", true);
      }
      m.put("healthcheck", hm);
    }
    if (!s.dependsOn().isEmpty()) {
      Map<String, Object> deps = new LinkedHashMap<>();
      s.dependsOn()
          .forEach(
              (k, d) -> {
                Map<String, Object> dm = new LinkedHashMap<>();
                dm.put("condition", d.condition());
                dm.put("required", d.required());
                if (d.restart()) {
                  dm.put("restart", true);
                }
                deps.put(k, dm);
              });
      m.put("depends_on", deps);
    }
    put(m, "user", s.user());
    put(m, "working_dir", s.workingDir());
    put(m, "read_only", s.readOnly());
    put(m, "init", s.init());
    put(m, "stop_signal", s.stopSignal());
    put(m, "stop_grace_period", nanos(s.stopGracePeriod()));
    if (s.deploy() != null) {
      m.put("deploy", deploy(s.deploy()));
    }
    if (!s.xStamp().isEmpty()) {
      m.put("x-stamp", s.xStamp());
    }
    return m;
  }

  private static Map<String, Object> deploy(ComposeService.Deploy d) {
    Map<String, Object> m = new LinkedHashMap<>();
    put(m, "replicas", d.replicas());
    if (d.limits() != null) {
      Map<String, Object> l = new LinkedHashMap<>();
      put(l, "cpus", d.limits().cpus());
      put(l, "memory", d.limits().memoryBytes());
      put(l, "pids", d.limits().pids());
      m.put("resources", Map.of("limits", l));
    }
    put(m, "update_config", update(d.updateConfig()));
    put(m, "rollback_config", update(d.rollbackConfig()));
    if (!d.constraints().isEmpty()) {
      m.put("placement", Map.of("constraints", d.constraints()));
    }
    return m;
  }

  private static Map<String, Object> update(ComposeService.UpdateConfig u) {
    if (u == null) {
      return null;
    }
    Map<String, Object> m = new LinkedHashMap<>();
    put(m, "parallelism", u.parallelism());
    put(m, "delay", nanos(u.delay()));
    put(m, "failure_action", u.failureAction());
    put(m, "monitor", nanos(u.monitor()));
    put(m, "order", u.order());
    return m;
  }

  private static Long nanos(Duration d) {
    return d == null ? null : d.toNanos();
  }

  private static void put(Map<String, Object> m, String key, Object value) {
    if (value != null) {
      m.put(key, value);
    }
  }
}
