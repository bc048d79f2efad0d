package dev.stamp.controller.compose;

import dev.stamp.controller.yaml.Problems;
import dev.stamp.controller.yaml.YamlNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/** One {@code services.NAME} mapping (already interpolated) to a {@link ComposeService}. */
final class ServiceReader {

  static final Set<String> KEYS =
      Set.of(
          "build",
          "image",
          "command",
          "entrypoint",
          "environment",
          "env_file",
          "ports",
          "volumes",
          "secrets",
          "healthcheck",
          "depends_on",
          "user",
          "working_dir",
          "read_only",
          "init",
          "stop_signal",
          "stop_grace_period",
          "deploy");

  /** Compose keys Stamp knows and leaves out (a warning says so). */
  static final Set<String> OUTSIDE_SUBSET =
      Set.copyOf(
          List.of(
              "links",
              "pid",
              "networks",
              "network_mode",
              "restart",
              "labels",
              "logging",
              "configs",
              "cap_add",
              "cap_drop",
              "privileged",
              "tty",
              "stdin_open",
              "hostname",
              "domainname",
              "extra_hosts",
              "dns",
              "dns_search",
              "ulimits",
              "sysctls",
              "shm_size",
              "devices",
              "tmpfs",
              "expose",
              "profiles",
              "container_name",
              "platform",
              "extends",
              "develop",
              "mem_limit",
              "cpus",
              "memswap_limit",
              "security_opt",
              "ipc",
              "userns_mode",
              "volumes_from",
              "external_links",
              "cgroup_parent",
              "pull_policy",
              "scale",
              "secrets_from",
              "annotations",
              "reservations",
              "generic_resources",
              "devices",
              "max_failure_ratio",
              "mode",
              "endpoint_mode",
              "restart_policy",
              "preferences",
              "max_replicas_per_node",
              "network",
              "cache_from",
              "cache_to",
              "additional_contexts",
              "tags",
              "platforms",
              "ssh",
              "shm_size",
              "isolation",
              "no_cache",
              "pull",
              "privileged",
              "dockerfile_inline",
              "consistency",
              "bind",
              "volume",
              "tmpfs",
              "app_protocol",
              "name",
              "propagation",
              "create_host_path",
              "selinux",
              "nocopy",
              "subpath",
              "size",
              "mode"));

  private static final List<String> CONDITIONS =
      List.of("service_started", "service_healthy", "service_completed_successfully");

  private final Values v;
  private final Problems problems;
  private final Function<String, String> env;
  private final ComposeLoader.ProjectFiles files;
  private final String projectDir;
  private final String home;

  /** Named volumes and secrets the services refer to, checked by the loader afterwards. */
  final List<Ref> volumeRefs = new ArrayList<>();

  final List<Ref> secretRefs = new ArrayList<>();

  /** {@code service} refers to {@code name} at {@code path}. */
  record Ref(String service, String name, YamlNode at, String path) {}

  ServiceReader(
      Values v,
      Function<String, String> env,
      ComposeLoader.ProjectFiles files,
      String projectDir,
      String home) {
    this.v = v;
    this.problems = v.problems();
    this.env = env;
    this.files = files;
    this.projectDir = projectDir;
    this.home = home;
  }

  ComposeService read(String name, YamlNode.Mapping m, String path) {
    v.onlyKnown(m, path, KEYS, OUTSIDE_SUBSET);
    Map<String, YamlNode> e = m.entries();
    Map<String, String> environment = new LinkedHashMap<>();
    envFiles(e.get("env_file"), path + ".env_file", environment);
    environment.putAll(environment(e.get("environment"), path + ".environment", false));
    Map<String, Object> xStamp = null;
    if (e.containsKey("x-stamp")) {
      YamlNode.Mapping xs = v.mapping(e.get("x-stamp"), path + ".x-stamp", "a mapping");
      xStamp = xs == null ? null : castMap(Values.plain(xs));
    }
    return new ComposeService(
        name,
        build(e.get("build"), path + ".build"),
        v.string(e.get("image"), path + ".image"),
        command(e.get("command"), path + ".command"),
        command(e.get("entrypoint"), path + ".entrypoint"),
        environment,
        ports(e.get("ports"), path + ".ports"),
        volumes(name, e.get("volumes"), path + ".volumes"),
        secrets(name, e.get("secrets"), path + ".secrets"),
        healthcheck(e.get("healthcheck"), path + ".healthcheck"),
        dependsOn(e.get("depends_on"), path + ".depends_on"),
        v.string(e.get("user"), path + ".user"),
        v.string(e.get("working_dir"), path + ".working_dir"),
        v.bool(e.get("read_only"), path + ".read_only"),
        v.bool(e.get("init"), path + ".init"),
        v.string(e.get("stop_signal"), path + ".stop_signal"),
        v.duration(e.get("stop_grace_period"), path + ".stop_grace_period"),
        deploy(e.get("deploy"), path + ".deploy"),
        xStamp);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> castMap(Object o) {
    return (Map<String, Object>) o;
  }

  private ComposeService.Build build(YamlNode n, String path) {
    if (n == null || Values.isNull(n)) {
      return null;
    }
    if (n instanceof YamlNode.Scalar s) {
      return new ComposeService.Build(resolve(s.text()), "Dockerfile", Map.of(), null);
    }
    YamlNode.Mapping m = v.mapping(n, path, "a build context (string) or a mapping");
    if (m == null) {
      return null;
    }
    v.onlyKnown(m, path, Set.of("context", "dockerfile", "args", "target"), OUTSIDE_SUBSET);
    String context = v.string(m.entries().get("context"), path + ".context");
    String dockerfile = v.string(m.entries().get("dockerfile"), path + ".dockerfile");
    return new ComposeService.Build(
        resolve(context == null ? "." : context),
        dockerfile == null ? "Dockerfile" : dockerfile,
        environment(m.entries().get("args"), path + ".args", true),
        v.string(m.entries().get("target"), path + ".target"));
  }

  private List<String> command(YamlNode n, String path) {
    if (n == null || Values.isNull(n)) {
      return null;
    }
    if (n instanceof YamlNode.Scalar s) {
      try {
        return ComposeSyntax.shellSplit(s.text());
      } catch (IllegalArgumentException ex) {
        problems.error(n, path, ex.getMessage());
        return null;
      }
    }
    return v.strings(n, path, false);
  }

  /**
   * A mapping or a list of {@code KEY=VALUE}; a name without value takes the environment's value
   * (environment: else stays null; build args: else is dropped).
   */
  private Map<String, String> environment(YamlNode n, String path, boolean dropUnset) {
    Map<String, String> out = new LinkedHashMap<>();
    if (n == null || Values.isNull(n)) {
      return out;
    }
    if (n instanceof YamlNode.Mapping m) {
      m.entries()
          .forEach(
              (key, value) -> {
                String at = path + "." + key;
                if (!validName(key, m.keys().get(key), path)) {
                  return;
                }
                if (Values.isNull(value)) {
                  put(out, key, env.apply(key), dropUnset);
                } else if (value instanceof YamlNode.Scalar s) {
                  out.put(key, s.text());
                } else {
                  problems.error(
                      value, at, "expected a string, number or boolean, got " + value.describe());
                }
              });
      return out;
    }
    if (n instanceof YamlNode.Sequence seq) {
      for (int i = 0; i < seq.items().size(); i++) {
        YamlNode item = seq.items().get(i);
        String s = v.string(item, path + "[" + i + "]");
        if (s == null) {
          continue;
        }
        int eq = s.indexOf('=');
        String key = eq < 0 ? s : s.substring(0, eq);
        if (!validName(key, item, path + "[" + i + "]")) {
          continue;
        }
        if (eq < 0) {
          put(out, key, env.apply(key), dropUnset);
        } else {
          out.put(key, s.substring(eq + 1));
        }
      }
      return out;
    }
    problems.error(n, path, "expected a mapping or a list of \"KEY=VALUE\", got " + n.describe());
    return out;
  }

  private static void put(Map<String, String> out, String key, String value, boolean dropUnset) {
    if (value != null || !dropUnset) {
      out.put(key, value);
    }
  }

  private boolean validName(String key, YamlNode at, String path) {
    if (key.isEmpty()
        || !key.strip().equals(key)
        || key.chars().anyMatch(Character::isWhitespace)) {
      problems.error(
          at,
          path,
          "invalid variable name \"" + key + "\": names hold no spaces (write KEY=VALUE)");
      return false;
    }
    return true;
  }

  private void envFiles(YamlNode n, String path, Map<String, String> into) {
    if (n == null || Values.isNull(n)) {
      return;
    }
    List<YamlNode> items = n instanceof YamlNode.Sequence seq ? seq.items() : List.of(n);
    for (int i = 0; i < items.size(); i++) {
      YamlNode item = items.get(i);
      String at = n instanceof YamlNode.Sequence ? path + "[" + i + "]" : path;
      String file;
      boolean required = true;
      if (item instanceof YamlNode.Mapping m) {
        v.onlyKnown(m, at, Set.of("path", "required"), Set.of("format"));
        file = v.string(m.entries().get("path"), at + ".path");
        Boolean r = v.bool(m.entries().get("required"), at + ".required");
        required = r == null || r;
      } else {
        file = v.string(item, at);
      }
      if (file == null) {
        continue;
      }
      try {
        Optional<byte[]> bytes = files.read(file);
        if (bytes.isEmpty()) {
          if (required) {
            problems.error(item, at, "env file " + file + " not found");
          }
          continue;
        }
        into.putAll(
            DotEnv.parse(
                new String(bytes.get(), StandardCharsets.UTF_8), Map.of(), problems.in(file)));
      } catch (java.io.IOException ex) {
        problems.error(item, at, "cannot read env file " + file + ": " + ex.getMessage());
      }
    }
  }

  private List<ComposeService.Port> ports(YamlNode n, String path) {
    List<ComposeService.Port> out = new ArrayList<>();
    if (n == null || Values.isNull(n)) {
      return out;
    }
    if (!(n instanceof YamlNode.Sequence seq)) {
      problems.error(n, path, "expected a list of ports, got " + n.describe());
      return out;
    }
    for (int i = 0; i < seq.items().size(); i++) {
      YamlNode item = seq.items().get(i);
      String at = path + "[" + i + "]";
      if (item instanceof YamlNode.Scalar s
          && (s.type() == YamlNode.Type.STRING || s.type() == YamlNode.Type.INT)) {
        try {
          out.addAll(ComposeSyntax.ports(s.text()));
        } catch (IllegalArgumentException ex) {
          problems.error(item, at, ex.getMessage());
        }
      } else if (item instanceof YamlNode.Mapping m) {
        ComposeService.Port p = longPort(m, at);
        if (p != null) {
          out.add(p);
        }
      } else {
        problems.error(
            item,
            at,
            "expected \"[HOST_IP:][HOST:]CONTAINER[/PROTO]\" or a mapping with target, got "
                + item.describe());
      }
    }
    return out;
  }

  private ComposeService.Port longPort(YamlNode.Mapping m, String at) {
    v.onlyKnown(
        m, at, Set.of("target", "published", "host_ip", "protocol", "mode"), OUTSIDE_SUBSET);
    Map<String, YamlNode> e = m.entries();
    String target = v.string(e.get("target"), at + ".target");
    String published = v.string(e.get("published"), at + ".published");
    String protocol = v.oneOf(e.get("protocol"), at + ".protocol", List.of("tcp", "udp"));
    String mode = v.oneOf(e.get("mode"), at + ".mode", List.of("ingress", "host"));
    String hostIp = v.string(e.get("host_ip"), at + ".host_ip");
    if (target == null) {
      problems.error(m, at + ".target", "required: the container port");
      return null;
    }
    try {
      int t = ComposeSyntax.port(target, "container port");
      String pub =
          published == null || published.isEmpty() ? null : ComposeSyntax.published(published);
      return new ComposeService.Port(
          t, pub, hostIp, protocol == null ? "tcp" : protocol, mode == null ? "ingress" : mode);
    } catch (IllegalArgumentException ex) {
      problems.error(m, at, ex.getMessage());
      return null;
    }
  }

  private List<ComposeService.Mount> volumes(String service, YamlNode n, String path) {
    List<ComposeService.Mount> out = new ArrayList<>();
    if (n == null || Values.isNull(n)) {
      return out;
    }
    if (!(n instanceof YamlNode.Sequence seq)) {
      problems.error(n, path, "expected a list of volumes, got " + n.describe());
      return out;
    }
    for (int i = 0; i < seq.items().size(); i++) {
      YamlNode item = seq.items().get(i);
      String at = path + "[" + i + "]";
      if (item instanceof YamlNode.Scalar s && !s.isNull() && s.type() != YamlNode.Type.BOOL) {
        try {
          ComposeSyntax.VolumeSpec spec = ComposeSyntax.volume(s.text());
          out.add(mount(service, spec.source(), spec.target(), spec.readOnly(), null, item, at));
        } catch (IllegalArgumentException ex) {
          problems.error(item, at, ex.getMessage());
        }
      } else if (item instanceof YamlNode.Mapping m) {
        v.onlyKnown(m, at, Set.of("type", "source", "target", "read_only"), OUTSIDE_SUBSET);
        Map<String, YamlNode> e = m.entries();
        String type = v.oneOf(e.get("type"), at + ".type", List.of("volume", "bind", "tmpfs"));
        String source = v.string(e.get("source"), at + ".source");
        String target = v.string(e.get("target"), at + ".target");
        Boolean ro = v.bool(e.get("read_only"), at + ".read_only");
        if (type == null) {
          if (!e.containsKey("type")) {
            problems.error(m, at + ".type", "required: volume, bind or tmpfs");
          }
          continue;
        }
        if (target == null || !target.startsWith("/")) {
          problems.error(
              m, at + ".target", "required: an absolute path in the container, got " + target);
          continue;
        }
        if (type.equals("bind") && (source == null || source.isEmpty())) {
          problems.error(m, at + ".source", "a bind mount needs a source (a host path)");
          continue;
        }
        if (type.equals("tmpfs")) {
          out.add(new ComposeService.Mount("tmpfs", null, target, ro != null && ro));
          continue;
        }
        out.add(mount(service, source, target, ro != null && ro, type, m, at));
      } else {
        problems.error(
            item, at, "expected \"SOURCE:TARGET[:ro]\" or a mapping, got " + item.describe());
      }
    }
    return out;
  }

  private ComposeService.Mount mount(
      String service,
      String source,
      String target,
      boolean readOnly,
      String type,
      YamlNode at,
      String path) {
    boolean bind =
        type != null
            ? type.equals("bind")
            : source != null
                && (source.startsWith("/") || source.startsWith(".") || source.startsWith("~"));
    if (bind) {
      return new ComposeService.Mount("bind", resolve(source), target, readOnly);
    }
    if (source != null && !source.isEmpty()) {
      volumeRefs.add(new Ref(service, source, at, path));
    }
    return new ComposeService.Mount(
        "volume", source == null || source.isEmpty() ? null : source, target, readOnly);
  }

  /** A host path from the file: {@code ~} is the home directory, relative is the project's. */
  private String resolve(String source) {
    String s = source;
    if (s.equals("~") || s.startsWith("~/")) {
      s = home + s.substring(1);
    }
    if (s.startsWith("/")) {
      return java.nio.file.Path.of(s).normalize().toString();
    }
    return java.nio.file.Path.of(projectDir).resolve(s).normalize().toString();
  }

  private List<ComposeService.SecretRef> secrets(String service, YamlNode n, String path) {
    List<ComposeService.SecretRef> out = new ArrayList<>();
    if (n == null || Values.isNull(n)) {
      return out;
    }
    if (!(n instanceof YamlNode.Sequence seq)) {
      problems.error(n, path, "expected a list of secrets, got " + n.describe());
      return out;
    }
    for (int i = 0; i < seq.items().size(); i++) {
      YamlNode item = seq.items().get(i);
      String at = path + "[" + i + "]";
      if (item instanceof YamlNode.Mapping m) {
        v.onlyKnown(m, at, Set.of("source", "target", "uid", "gid", "mode"), OUTSIDE_SUBSET);
        Map<String, YamlNode> e = m.entries();
        String source = v.string(e.get("source"), at + ".source");
        if (source == null) {
          problems.error(m, at + ".source", "required: the name of a top-level secret");
          continue;
        }
        String target = v.string(e.get("target"), at + ".target");
        Integer mode = null;
        YamlNode modeNode = e.get("mode");
        if (modeNode instanceof YamlNode.Scalar ms && !ms.isNull()) {
          try {
            mode = ComposeSyntax.fileMode(ms.text(), ms.type() == YamlNode.Type.INT);
          } catch (IllegalArgumentException ex) {
            problems.error(modeNode, at + ".mode", ex.getMessage());
          }
        } else if (modeNode != null && !Values.isNull(modeNode)) {
          problems.error(
              modeNode, at + ".mode", "expected a file mode, got " + modeNode.describe());
        }
        secretRefs.add(new Ref(service, source, m, at));
        out.add(
            new ComposeService.SecretRef(
                source,
                target == null ? "/run/secrets/" + source : target,
                v.string(e.get("uid"), at + ".uid"),
                v.string(e.get("gid"), at + ".gid"),
                mode));
      } else {
        String source = v.string(item, at);
        if (source != null) {
          secretRefs.add(new Ref(service, source, item, at));
          out.add(new ComposeService.SecretRef(source, "/run/secrets/" + source, null, null, null));
        }
      }
    }
    return out;
  }

  private ComposeService.Healthcheck healthcheck(YamlNode n, String path) {
    YamlNode.Mapping m = v.mapping(n, path, "a mapping");
    if (m == null) {
      return null;
    }
    v.onlyKnown(
        m,
        path,
        Set.of(
            "test", "interval", "timeout", "retries", "start_period", "start_interval", "disable"),
        OUTSIDE_SUBSET);
    Map<String, YamlNode> e = m.entries();
    YamlNode testNode = e.get("test");
    List<String> test = null;
    if (testNode instanceof YamlNode.Scalar s && !s.isNull()) {
      test = List.of("CMD-SHELL", s.text());
    } else if (testNode != null && !Values.isNull(testNode)) {
      test = v.strings(testNode, path + ".test", false);
      if (test != null) {
        String first = test.isEmpty() ? "" : test.get(0);
        boolean ok =
            switch (first) {
              case "NONE" -> test.size() == 1;
              case "CMD", "CMD-SHELL" -> test.size() >= 2;
              default -> false;
            };
        if (!ok) {
          problems.error(
              testNode,
              path + ".test",
              "expected [\"CMD\", args…], [\"CMD-SHELL\", \"command\"], [\"NONE\"] or a string,"
                  + " got "
                  + test);
          test = null;
        }
      }
    }
    Boolean disable = v.bool(e.get("disable"), path + ".disable");
    Duration interval = v.duration(e.get("interval"), path + ".interval");
    Duration timeout = v.duration(e.get("timeout"), path + ".timeout");
    Duration startPeriod = v.duration(e.get("start_period"), path + ".start_period");
    Duration startInterval = v.duration(e.get("start_interval"), path + ".start_interval");
    return new ComposeService.Healthcheck(
        test,
        interval,
        timeout,
        startPeriod,
        startInterval,
        v.nonNegativeInt(e.get("retries"), path + ".retries"),
        disable != null && disable);
  }

  private Map<String, ComposeService.Dependency> dependsOn(YamlNode n, String path) {
    Map<String, ComposeService.Dependency> out = new LinkedHashMap<>();
    if (n == null || Values.isNull(n)) {
      return out;
    }
    if (n instanceof YamlNode.Sequence) {
      for (String name : v.strings(n, path, false)) {
        out.put(name, new ComposeService.Dependency("service_started", true, false));
      }
      return out;
    }
    YamlNode.Mapping m = v.mapping(n, path, "a list of service names or a mapping");
    if (m == null) {
      return out;
    }
    m.entries()
        .forEach(
            (name, value) -> {
              String at = path + "." + name;
              YamlNode.Mapping d = v.mapping(value, at, "a mapping with condition");
              if (d == null) {
                if (Values.isNull(value)) {
                  out.put(name, new ComposeService.Dependency("service_started", true, false));
                }
                return;
              }
              v.onlyKnown(d, at, Set.of("condition", "required", "restart"), OUTSIDE_SUBSET);
              String condition =
                  v.oneOf(d.entries().get("condition"), at + ".condition", CONDITIONS);
              Boolean required = v.bool(d.entries().get("required"), at + ".required");
              Boolean restart = v.bool(d.entries().get("restart"), at + ".restart");
              out.put(
                  name,
                  new ComposeService.Dependency(
                      condition == null ? "service_started" : condition,
                      required == null || required,
                      restart != null && restart));
            });
    return out;
  }

  private ComposeService.Deploy deploy(YamlNode n, String path) {
    YamlNode.Mapping m = v.mapping(n, path, "a mapping");
    if (m == null) {
      return null;
    }
    v.onlyKnown(
        m,
        path,
        Set.of("replicas", "resources", "update_config", "rollback_config", "placement"),
        OUTSIDE_SUBSET);
    Map<String, YamlNode> e = m.entries();
    ComposeService.Limits limits = null;
    YamlNode.Mapping resources = v.mapping(e.get("resources"), path + ".resources", "a mapping");
    if (resources != null) {
      v.onlyKnown(resources, path + ".resources", Set.of("limits"), OUTSIDE_SUBSET);
      String lp = path + ".resources.limits";
      YamlNode.Mapping l = v.mapping(resources.entries().get("limits"), lp, "a mapping");
      if (l != null) {
        v.onlyKnown(l, lp, Set.of("cpus", "memory", "pids"), OUTSIDE_SUBSET);
        Double cpus = v.number(l.entries().get("cpus"), lp + ".cpus");
        if (cpus != null && cpus <= 0) {
          problems.error(
              l.entries().get("cpus"), lp + ".cpus", "expected more than 0, got " + cpus);
        }
        Long pids = v.integer(l.entries().get("pids"), lp + ".pids");
        limits =
            new ComposeService.Limits(
                cpus, v.bytes(l.entries().get("memory"), lp + ".memory"), pids);
      }
    }
    List<String> constraints = null;
    YamlNode.Mapping placement = v.mapping(e.get("placement"), path + ".placement", "a mapping");
    if (placement != null) {
      v.onlyKnown(placement, path + ".placement", Set.of("constraints"), OUTSIDE_SUBSET);
      constraints =
          v.strings(placement.entries().get("constraints"), path + ".placement.constraints", false);
    }
    Long replicas = v.integer(e.get("replicas"), path + ".replicas");
    if (replicas != null && replicas < 0) {
      problems.error(
          e.get("replicas"),
          path + ".replicas",
          "expected a number of at least 0, got " + replicas);
      replicas = null;
    }
    return new ComposeService.Deploy(
        replicas == null ? null : (int) Math.min(replicas, Integer.MAX_VALUE),
        limits,
        update(e.get("update_config"), path + ".update_config"),
        update(e.get("rollback_config"), path + ".rollback_config"),
        constraints);
  }

  private ComposeService.UpdateConfig update(YamlNode n, String path) {
    YamlNode.Mapping m = v.mapping(n, path, "a mapping");
    if (m == null) {
      return null;
    }
    v.onlyKnown(
        m,
        path,
        Set.of("parallelism", "delay", "order", "failure_action", "monitor"),
        OUTSIDE_SUBSET);
    Map<String, YamlNode> e = m.entries();
    return new ComposeService.UpdateConfig(
        v.nonNegativeInt(e.get("parallelism"), path + ".parallelism"),
        v.duration(e.get("delay"), path + ".delay"),
        v.oneOf(e.get("order"), path + ".order", List.of("start-first", "stop-first")),
        v.oneOf(
            e.get("failure_action"),
            path + ".failure_action",
            List.of("rollback", "pause", "continue")),
        v.duration(e.get("monitor"), path + ".monitor"));
  }
}
