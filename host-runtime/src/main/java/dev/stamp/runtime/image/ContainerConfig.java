package dev.stamp.runtime.image;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import dev.stamp.runtime.health.HealthCheck;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The image config's {@code config} object: how to run the image (OCI fields plus Docker's {@code
 * Healthcheck}, {@code OnBuild}, {@code Shell}). Absent fields are null; change one with {@link
 * #toBuilder()}.
 */
@JsonPropertyOrder({
  "User",
  "ExposedPorts",
  "Env",
  "Entrypoint",
  "Cmd",
  "Volumes",
  "WorkingDir",
  "Labels",
  "StopSignal",
  "ArgsEscaped",
  "Healthcheck",
  "OnBuild",
  "Shell"
})
public record ContainerConfig(
    @JsonProperty("User") String user,
    @JsonProperty("ExposedPorts")
        @JsonSerialize(using = KeySetJson.Serializer.class)
        @JsonDeserialize(using = KeySetJson.Deserializer.class)
        Set<String> exposedPorts,
    @JsonProperty("Env") List<String> env,
    @JsonProperty("Entrypoint") List<String> entrypoint,
    @JsonProperty("Cmd") List<String> cmd,
    @JsonProperty("Volumes")
        @JsonSerialize(using = KeySetJson.Serializer.class)
        @JsonDeserialize(using = KeySetJson.Deserializer.class)
        Set<String> volumes,
    @JsonProperty("WorkingDir") String workingDir,
    @JsonProperty("Labels") Map<String, String> labels,
    @JsonProperty("StopSignal") String stopSignal,
    @JsonProperty("ArgsEscaped") Boolean argsEscaped,
    @JsonProperty("Healthcheck") HealthCheck healthcheck,
    @JsonProperty("OnBuild") List<String> onBuild,
    @JsonProperty("Shell") List<String> shell) {

  public static final ContainerConfig EMPTY = new Builder().build();

  public ContainerConfig {
    exposedPorts = Values.copy(exposedPorts);
    env = Values.copy(env);
    entrypoint = Values.copy(entrypoint);
    cmd = Values.copy(cmd);
    volumes = Values.copy(volumes);
    labels = Values.copy(labels);
    onBuild = Values.copy(onBuild);
    shell = Values.copy(shell);
  }

  /** The value of {@code NAME} in {@link #env()}, or null. */
  public String envValue(String name) {
    if (env == null) {
      return null;
    }
    for (String entry : env) {
      int eq = entry.indexOf('=');
      String key = eq < 0 ? entry : entry.substring(0, eq);
      if (key.equals(name)) {
        return eq < 0 ? "" : entry.substring(eq + 1);
      }
    }
    return null;
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Mutable twin for deriving a config (Dockerfile instructions, {@code import --change}). */
  public static final class Builder {
    private String user;
    private Set<String> exposedPorts;
    private List<String> env;
    private List<String> entrypoint;
    private List<String> cmd;
    private Set<String> volumes;
    private String workingDir;
    private Map<String, String> labels;
    private String stopSignal;
    private Boolean argsEscaped;
    private HealthCheck healthcheck;
    private List<String> onBuild;
    private List<String> shell;

    Builder() {}

    Builder(ContainerConfig c) {
      user = c.user;
      exposedPorts = c.exposedPorts;
      env = c.env;
      entrypoint = c.entrypoint;
      cmd = c.cmd;
      volumes = c.volumes;
      workingDir = c.workingDir;
      labels = c.labels;
      stopSignal = c.stopSignal;
      argsEscaped = c.argsEscaped;
      healthcheck = c.healthcheck;
      onBuild = c.onBuild;
      shell = c.shell;
    }

    public Builder user(String value) {
      user = value;
      return this;
    }

    public Builder exposePort(String port) {
      Set<String> next =
          exposedPorts == null ? new LinkedHashSet<>() : new LinkedHashSet<>(exposedPorts);
      next.add(port);
      exposedPorts = next;
      return this;
    }

    public Builder exposedPorts(Set<String> value) {
      exposedPorts = value;
      return this;
    }

    /** Sets {@code NAME=VALUE}, replacing an earlier value of NAME in place. */
    public Builder env(String name, String value) {
      List<String> next = env == null ? new ArrayList<>() : new ArrayList<>(env);
      String entry = name + "=" + value;
      boolean replaced = false;
      for (int i = 0; i < next.size(); i++) {
        if (next.get(i).equals(name) || next.get(i).startsWith(name + "=")) {
          next.set(i, entry);
          replaced = true;
        }
      }
      if (!replaced) {
        next.add(entry);
      }
      env = next;
      return this;
    }

    public Builder env(List<String> value) {
      env = value;
      return this;
    }

    public Builder entrypoint(List<String> value) {
      entrypoint = value;
      return this;
    }

    public Builder cmd(List<String> value) {
      cmd = value;
      return this;
    }

    public Builder volume(String path) {
      Set<String> next = volumes == null ? new LinkedHashSet<>() : new LinkedHashSet<>(volumes);
      next.add(path);
      volumes = next;
      return this;
    }

    public Builder volumes(Set<String> value) {
      volumes = value;
      return this;
    }

    public Builder workingDir(String value) {
      workingDir = value;
      return this;
    }

    public Builder label(String key, String value) {
      Map<String, String> next =
          labels == null ? new LinkedHashMap<>() : new LinkedHashMap<>(labels);
      next.put(key, value);
      labels = next;
      return this;
    }

    public Builder labels(Map<String, String> value) {
      labels = value;
      return this;
    }

    public Builder stopSignal(String value) {
      stopSignal = value;
      return this;
    }

    public Builder argsEscaped(Boolean value) {
      argsEscaped = value;
      return this;
    }

    public Builder healthcheck(HealthCheck value) {
      healthcheck = value;
      return this;
    }

    public Builder onBuild(List<String> value) {
      onBuild = value;
      return this;
    }

    public Builder shell(List<String> value) {
      shell = value;
      return this;
    }

    public ContainerConfig build() {
      return new ContainerConfig(
          user,
          exposedPorts,
          env,
          entrypoint,
          cmd,
          volumes,
          workingDir,
          labels,
          stopSignal,
          argsEscaped,
          healthcheck,
          onBuild,
          shell);
    }
  }
}
