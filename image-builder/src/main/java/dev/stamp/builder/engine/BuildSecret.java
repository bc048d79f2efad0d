package dev.stamp.builder.engine;

import dev.stamp.builder.BuildException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A build secret ({@code stamp build --secret id=NAME,src=FILE} or {@code id=NAME,env=VAR}): read
 * when the build starts, mounted read-only into the RUN steps that ask for it and nowhere else. Its
 * value never enters a layer, the image config, the history or a cache key; {@link #toString} hides
 * it.
 */
public final class BuildSecret {

  private final String id;
  private final byte[] value;

  private BuildSecret(String id, byte[] value) {
    this.id = id;
    this.value = value.clone();
  }

  public static BuildSecret of(String id, byte[] value) {
    return new BuildSecret(id, value);
  }

  /**
   * Parses {@code id=NAME,src=FILE} ({@code source=} too) or {@code id=NAME,env=VAR} ({@code
   * type=file|env} accepted), reading the value from the file or from {@code env}.
   */
  public static BuildSecret parse(String spec, Map<String, String> env) throws BuildException {
    Map<String, String> fields = new LinkedHashMap<>();
    for (String field : spec.split(",")) {
      int eq = field.indexOf('=');
      if (eq <= 0) {
        throw bad(spec, "expected id=NAME,src=FILE or id=NAME,env=VAR");
      }
      String key = field.substring(0, eq).strip();
      if (!key.matches("id|src|source|env|type") || fields.containsKey(key)) {
        throw bad(spec, "unknown or repeated field \"" + key + "\" (id, src, env, type)");
      }
      fields.put(key.equals("source") ? "src" : key, field.substring(eq + 1));
    }
    String id = fields.get("id");
    if (id == null || id.isEmpty()) {
      throw bad(spec, "id=NAME is required");
    }
    String type = fields.getOrDefault("type", fields.containsKey("env") ? "env" : "file");
    if (type.equals("file") && fields.containsKey("src")) {
      Path file = Path.of(fields.get("src"));
      try {
        return new BuildSecret(id, Files.readAllBytes(file));
      } catch (IOException e) {
        throw bad(spec, "cannot read " + file + " (" + e.getMessage() + ")");
      }
    }
    if (type.equals("env")) {
      String var = fields.getOrDefault("env", fields.getOrDefault("src", id));
      String v = env.get(var);
      if (v == null) {
        throw bad(spec, "environment variable " + var + " is not set");
      }
      return new BuildSecret(id, v.getBytes(StandardCharsets.UTF_8));
    }
    throw bad(spec, "expected id=NAME,src=FILE or id=NAME,env=VAR");
  }

  private static BuildException bad(String spec, String why) {
    return BuildException.badInput("--secret " + spec + ": " + why);
  }

  public String id() {
    return id;
  }

  /** The secret's bytes (a copy). */
  public byte[] value() {
    return value.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BuildSecret s && s.id.equals(id) && Arrays.equals(s.value, value);
  }

  @Override
  public int hashCode() {
    return id.hashCode() * 31 + Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    return "BuildSecret[id=" + id + ", value=(hidden)]";
  }
}
