package dev.stamp.policies.rules;

import dev.stamp.builder.dockerfile.Node;
import dev.stamp.policies.Category;
import dev.stamp.policies.DockerfileView;
import dev.stamp.policies.ImageSubject;
import dev.stamp.policies.Location;
import dev.stamp.policies.Rule;
import dev.stamp.policies.RuleContext;
import dev.stamp.policies.Severity;
import dev.stamp.policies.SpecSubject;
import dev.stamp.policies.SpecSubject.Service;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The default deployment-spec rules ({@code STAMP-SP-*}) and the cross-subject one. */
final class SpecRules {

  private SpecRules() {}

  /** The capabilities Docker (and Stamp) grant by default. */
  static final Set<String> DEFAULT_CAPS =
      Set.of(
          "CHOWN",
          "DAC_OVERRIDE",
          "FSETID",
          "FOWNER",
          "MKNOD",
          "NET_RAW",
          "SETGID",
          "SETUID",
          "SETFCAP",
          "SETPCAP",
          "NET_BIND_SERVICE",
          "SYS_CHROOT",
          "KILL",
          "AUDIT_WRITE");

  interface ServiceCheck {
    void check(SpecSubject spec, Service service, RuleContext ctx, Rule.Reporter out);
  }

  private static Rule.SpecCheck each(ServiceCheck check) {
    return (spec, ctx, out) -> spec.services().forEach(s -> check.check(spec, s, ctx, out));
  }

  private static Location at(SpecSubject spec, Service s, String rest) {
    return Location.path(spec.file(), "services." + s.name() + (rest.isEmpty() ? "" : "." + rest));
  }

  static List<Rule> all() {
    return List.of(
        new Rule(
            "STAMP-SP-001",
            "No memory limit",
            Severity.ERROR,
            Category.RELIABILITY,
            "Without a memory limit one service can starve the host. Set"
                + " `deploy.resources.limits.memory` (e.g. `256m`).",
            each(
                (spec, s, ctx, out) -> {
                  if (s.memoryLimit().isEmpty()) {
                    out.report(
                        at(spec, s, "deploy.resources.limits.memory"),
                        "service " + s.name() + " has no memory limit");
                  }
                })),
        new Rule(
            "STAMP-SP-002",
            "No pids limit",
            Severity.WARNING,
            Category.RELIABILITY,
            "Without a pids limit a fork bomb takes the host down. Set"
                + " `deploy.resources.limits.pids` (e.g. `256`).",
            each(
                (spec, s, ctx, out) -> {
                  if (s.pidsLimit().isEmpty()) {
                    out.report(
                        at(spec, s, "deploy.resources.limits.pids"),
                        "service " + s.name() + " has no pids limit");
                  }
                })),
        new Rule(
            "STAMP-SP-003",
            "Privileged container",
            Severity.ERROR,
            Category.SECURITY,
            "`privileged: true` gives the container every capability and every device. Remove it"
                + " and add only the capabilities the service needs.",
            each(
                (spec, s, ctx, out) -> {
                  if (s.privileged()) {
                    out.report(at(spec, s, "privileged"), "service " + s.name() + " is privileged");
                  }
                })),
        new Rule(
            "STAMP-SP-004",
            "Host namespace shared",
            Severity.ERROR,
            Category.SECURITY,
            "`network_mode: host`, `pid: host` and `ipc: host` let the container see and touch the"
                + " host's processes or network. Use the default namespaces and publish ports.",
            each(
                (spec, s, ctx, out) -> {
                  host(spec, s, "network_mode", s.networkMode(), out);
                  host(spec, s, "pid", s.pid(), out);
                  host(spec, s, "ipc", s.ipc(), out);
                })),
        new Rule(
            "STAMP-SP-005",
            "Capabilities beyond the default set",
            Severity.WARNING,
            Category.SECURITY,
            "`cap_add` grants more than Docker's default capabilities. Remove what the service"
                + " does not need; never add ALL or SYS_ADMIN without a waiver.",
            each(
                (spec, s, ctx, out) -> {
                  for (int i = 0; i < s.capAdd().size(); i++) {
                    String cap =
                        s.capAdd().get(i).toUpperCase(Locale.ROOT).replaceFirst("^CAP_", "");
                    if (!DEFAULT_CAPS.contains(cap)) {
                      out.report(
                          at(spec, s, "cap_add[" + i + "]"),
                          "service " + s.name() + " adds capability " + cap);
                    }
                  }
                })),
        new Rule(
            "STAMP-SP-006",
            "Host bind mount outside the allowed roots",
            Severity.WARNING,
            Category.SECURITY,
            "A bind mount exposes a host directory to the container. Use a named volume, or list"
                + " the directory's root under `allow.bindRoots` in the policy.",
            each(SpecRules::binds)),
        new Rule(
            "STAMP-SP-007",
            "start-first service behind a port without a healthcheck",
            Severity.ERROR,
            Category.RELIABILITY,
            "With `update_config.order: start-first` the new container takes traffic once it is"
                + " healthy; without a healthcheck that is as soon as it starts. Add a"
                + " `healthcheck` (or a HEALTHCHECK in the Dockerfile).",
            each(SpecRules::startFirst)),
        new Rule(
            "STAMP-SP-008",
            "Secret passed in environment",
            Severity.ERROR,
            Category.SECURITY,
            "Environment variables show in `inspect`, logs and crash dumps. Declare the secret"
                + " under `secrets` and read it from /run/secrets (or a `*_FILE` variable).",
            each(
                (spec, s, ctx, out) -> {
                  for (Map.Entry<String, String> e : s.environment().entrySet()) {
                    if (Text.secretValue(e.getValue()) || Text.secretName(e.getKey())) {
                      out.report(
                          at(spec, s, "environment." + e.getKey()),
                          "service "
                              + s.name()
                              + " gets "
                              + e.getKey()
                              + " in its environment: use secrets");
                    }
                  }
                })),
        new Rule(
            "STAMP-SP-009",
            "Root filesystem writable",
            Severity.WARNING,
            Category.SECURITY,
            "An immutable service needs no writable root filesystem. Set `read_only: true` and"
                + " mount volumes (or tmpfs) where it must write.",
            each(
                (spec, s, ctx, out) -> {
                  if (!s.readOnly().orElse(false)) {
                    out.report(
                        at(spec, s, "read_only"),
                        "service " + s.name() + " does not set read_only: true");
                  }
                })),
        new Rule(
            "STAMP-SP-010",
            "Too few replicas behind a published port",
            Severity.WARNING,
            Category.RELIABILITY,
            "The policy's `limits.minReplicasBehindPort` asks for more replicas behind a"
                + " published port, so one can restart while the others serve. Raise"
                + " `deploy.replicas`.",
            each(
                (spec, s, ctx, out) -> {
                  int min = ctx.config().replicasBehindPort();
                  if (s.publishesPorts() && s.replicas() < min) {
                    out.report(
                        at(spec, s, "deploy.replicas"),
                        "service "
                            + s.name()
                            + " publishes "
                            + s.publishedPorts().get(0)
                            + " with "
                            + s.replicas()
                            + " replica(s); the policy asks for "
                            + min);
                  }
                })),
        new Rule(
            "STAMP-DF-017",
            "Published service image without HEALTHCHECK",
            Severity.WARNING,
            Category.RELIABILITY,
            "A service that publishes a port needs a health check so rollouts switch traffic"
                + " only to a working container. Add HEALTHCHECK to the Dockerfile's final stage"
                + " or `healthcheck` to the service.",
            each(SpecRules::publishedWithoutHealthcheck)));
  }

  private static void host(
      SpecSubject spec, Service s, String key, Optional<String> value, Rule.Reporter out) {
    if (value.filter(v -> v.equalsIgnoreCase("host")).isPresent()) {
      out.report(
          at(spec, s, key),
          "service " + s.name() + " shares the host's " + key.replace("_mode", "") + " namespace");
    }
  }

  static void binds(SpecSubject spec, Service s, RuleContext ctx, Rule.Reporter out) {
    List<String> roots = ctx.config().bindRoots().orElse(List.of());
    for (int i = 0; i < s.bindSources().size(); i++) {
      String src = s.bindSources().get(i);
      String norm = java.nio.file.Path.of(src).normalize().toString();
      boolean ok =
          norm.startsWith("/")
              && roots.stream()
                  .anyMatch(
                      r ->
                          norm.equals(r.replaceAll("/+$", ""))
                              || norm.startsWith(r.replaceAll("/+$", "") + "/"));
      if (!ok) {
        out.report(
            at(spec, s, "volumes[" + i + "]"),
            "service "
                + s.name()
                + " bind-mounts host path "
                + src
                + (roots.isEmpty()
                    ? " (no bind roots are allowed)"
                    : " outside the allowed roots " + roots));
      }
    }
  }

  /** Where the service's image gets a HEALTHCHECK, or why it has none: empty when it has one. */
  private static Optional<String> missingImageHealthcheck(
      SpecSubject spec, Service s, RuleContext ctx) {
    Optional<ImageSubject> image = ctx.image(spec.appName(), s.name());
    if (image.isPresent()) {
      var hc = image.get().config().healthcheck();
      boolean has =
          hc != null
              && hc.test() != null
              && !hc.test().isEmpty()
              && !hc.test().get(0).equals("NONE");
      return has ? Optional.empty() : Optional.of("its image " + image.get().reference());
    }
    if (s.dockerfile().isEmpty()) {
      return Optional.of("its image " + s.image().orElse("(unknown)") + " (not checked here)");
    }
    Optional<DockerfileView> df = ctx.dockerfile(s.dockerfile().get());
    if (df.isEmpty()) {
      return Optional.of("its Dockerfile " + s.dockerfile().get() + " (not found)");
    }
    var stage = df.get().finalStage(s.buildTarget());
    if (stage.isEmpty()) {
      return Optional.of("its image (built from " + df.get().file() + ")");
    }
    for (Node n : stage.get().nodes()) {
      if (n.instruction().equals("healthcheck")
          && !n.args().isEmpty()
          && !n.args().get(0).equalsIgnoreCase("none")) {
        return Optional.empty();
      }
    }
    return Optional.of(
        "its image (built from "
            + df.get().file()
            + ":"
            + stage.get().from().location().line()
            + ")");
  }

  static void startFirst(SpecSubject spec, Service s, RuleContext ctx, Rule.Reporter out) {
    if (s.updateOrder() != SpecSubject.UpdateOrder.START_FIRST
        || !s.publishesPorts()
        || s.healthcheck()) {
      return;
    }
    Optional<String> missing = missingImageHealthcheck(spec, s, ctx);
    if (missing.isPresent()) {
      out.report(
          at(spec, s, "healthcheck"),
          "service "
              + s.name()
              + " updates start-first behind port "
              + s.publishedPorts().get(0)
              + " but has no healthcheck, and neither has "
              + missing.get());
    }
  }

  static void publishedWithoutHealthcheck(
      SpecSubject spec, Service s, RuleContext ctx, Rule.Reporter out) {
    if (!s.publishesPorts() || s.healthcheck()) {
      return;
    }
    Optional<String> missing = missingImageHealthcheck(spec, s, ctx);
    if (missing.isPresent()
        && !missing.get().contains("not checked here")
        && !missing.get().contains("not found")) {
      out.report(
          at(spec, s, "ports"),
          "service "
              + s.name()
              + " publishes port "
              + s.publishedPorts().get(0)
              + ", but "
              + missing.get()
              + " has no HEALTHCHECK");
    }
  }
}
