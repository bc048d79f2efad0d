package dev.stamp.policies;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A deployment spec as plain data: what the rules need from one app's Compose file. The controller
 * and the CLI map their Compose model onto it, so this module does not depend on theirs. {@code
 * lines} optionally maps spec paths ({@code services.web.ports}) to the line they are written on,
 * so findings can point at it; a path not in it takes its nearest parent's line.
 */
public record SpecSubject(
    String appName, String file, List<Service> services, Map<String, Integer> lines)
    implements Subject {

  public SpecSubject {
    Objects.requireNonNull(appName, "appName");
    Objects.requireNonNull(file, "file");
    services = List.copyOf(services);
    lines = lines == null ? Map.of() : Map.copyOf(lines);
  }

  /** A spec without line information. */
  public SpecSubject(String appName, String file, List<Service> services) {
    this(appName, file, services, Map.of());
  }

  /** The line {@code path} (or its nearest written parent) is on; 0 when unknown. */
  public int lineOf(String path) {
    String p = path;
    while (!p.isEmpty()) {
      Integer line = lines.get(p);
      if (line != null) {
        return line;
      }
      int cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
      p = cut < 0 ? "" : p.substring(0, cut);
    }
    return 0;
  }

  @Override
  public Optional<String> app() {
    return Optional.of(appName);
  }

  /** How a service is updated: the new container before the old one stops, or after. */
  public enum UpdateOrder {
    START_FIRST,
    STOP_FIRST
  }

  /**
   * One service. {@code publishedPorts}: host ports it publishes ({@code 80}, {@code 8080:80} as
   * written); {@code healthcheck}: whether the spec defines one (a disabled one is false); limits
   * empty when not set; {@code bindSources}: host paths of bind volumes; {@code environment}:
   * variables with their values as written; {@code secrets}: secret names; {@code readOnly}: empty
   * when not set; {@code dockerfile}: the Dockerfile it builds from, repository-relative, when it
   * has a {@code build} section; {@code buildTarget} its {@code build.target}.
   */
  public record Service(
      String name,
      List<String> publishedPorts,
      boolean healthcheck,
      Optional<String> memoryLimit,
      Optional<Long> pidsLimit,
      boolean privileged,
      List<String> capAdd,
      Optional<String> networkMode,
      Optional<String> pid,
      Optional<String> ipc,
      List<String> bindSources,
      Map<String, String> environment,
      List<String> secrets,
      Optional<Boolean> readOnly,
      int replicas,
      UpdateOrder updateOrder,
      Optional<String> dockerfile,
      Optional<String> buildTarget,
      Optional<String> image) {

    public Service {
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("a service needs a name");
      }
      publishedPorts = List.copyOf(publishedPorts);
      capAdd = List.copyOf(capAdd);
      bindSources = List.copyOf(bindSources);
      environment = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(environment));
      secrets = List.copyOf(secrets);
      if (replicas < 0) {
        throw new IllegalArgumentException("service " + name + ": replicas " + replicas + " < 0");
      }
      Objects.requireNonNull(updateOrder, "updateOrder");
    }

    public boolean publishesPorts() {
      return !publishedPorts.isEmpty();
    }

    public static Builder builder(String name) {
      return new Builder(name);
    }

    /** A builder starting from Compose's defaults: one replica, stop-first, nothing set. */
    public static final class Builder {
      private final String name;
      private final List<String> publishedPorts = new ArrayList<>();
      private boolean healthcheck;
      private String memoryLimit;
      private Long pidsLimit;
      private boolean privileged;
      private final List<String> capAdd = new ArrayList<>();
      private String networkMode;
      private String pid;
      private String ipc;
      private final List<String> bindSources = new ArrayList<>();
      private final Map<String, String> environment = new LinkedHashMap<>();
      private final List<String> secrets = new ArrayList<>();
      private Boolean readOnly;
      private int replicas = 1;
      private UpdateOrder updateOrder = UpdateOrder.STOP_FIRST;
      private String dockerfile;
      private String buildTarget;
      private String image;

      private Builder(String name) {
        this.name = name;
      }

      public Builder publish(String port) {
        publishedPorts.add(port);
        return this;
      }

      public Builder healthcheck(boolean value) {
        healthcheck = value;
        return this;
      }

      public Builder memoryLimit(String value) {
        memoryLimit = value;
        return this;
      }

      public Builder pidsLimit(Long value) {
        pidsLimit = value;
        return this;
      }

      public Builder privileged(boolean value) {
        privileged = value;
        return this;
      }

      public Builder capAdd(String cap) {
        capAdd.add(cap);
        return this;
      }

      public Builder networkMode(String value) {
        networkMode = value;
        return this;
      }

      public Builder pid(String value) {
        pid = value;
        return this;
      }

      public Builder ipc(String value) {
        ipc = value;
        return this;
      }

      public Builder bind(String source) {
        bindSources.add(source);
        return this;
      }

      public Builder env(String key, String value) {
        environment.put(key, value == null ? "" : value);
        return this;
      }

      public Builder secret(String secret) {
        secrets.add(secret);
        return this;
      }

      public Builder readOnly(Boolean value) {
        readOnly = value;
        return this;
      }

      public Builder replicas(int value) {
        replicas = value;
        return this;
      }

      public Builder updateOrder(UpdateOrder value) {
        updateOrder = value;
        return this;
      }

      public Builder dockerfile(String value) {
        dockerfile = value;
        return this;
      }

      public Builder buildTarget(String value) {
        buildTarget = value;
        return this;
      }

      public Builder image(String value) {
        image = value;
        return this;
      }

      public Service build() {
        return new Service(
            name,
            publishedPorts,
            healthcheck,
            Optional.ofNullable(memoryLimit),
            Optional.ofNullable(pidsLimit),
            privileged,
            capAdd,
            Optional.ofNullable(networkMode),
            Optional.ofNullable(pid),
            Optional.ofNullable(ipc),
            bindSources,
            environment,
            secrets,
            Optional.ofNullable(readOnly),
            replicas,
            updateOrder,
            Optional.ofNullable(dockerfile),
            Optional.ofNullable(buildTarget),
            Optional.ofNullable(image));
      }
    }
  }
}
