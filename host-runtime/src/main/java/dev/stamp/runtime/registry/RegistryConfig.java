package dev.stamp.runtime.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.image.ImageJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * How Stamp talks to registries, from {@code ROOT/config/registries.json} (all keys optional):
 *
 * <pre>{@code
 * {
 *   "mirrors": {"docker.io": ["http://127.0.0.1:5000"]},   // tried in order before the origin
 *   "insecure": ["registry.lan:5000"],                       // plain http allowed (loopback always is)
 *   "connectTimeoutSeconds": 10,    // TCP/TLS connect
 *   "requestTimeoutSeconds": 60,    // from sending a request to its answer's headers
 *   "readTimeoutSeconds": 60,       // longest silence inside an answer's body
 *   "maxAttempts": 4,               // per request, for 5xx, 429, timeouts and I/O errors
 *   "uploadChunkBytes": 1073741824  // larger blobs are pushed in PATCH chunks of this size
 * }
 * }</pre>
 */
public record RegistryConfig(
    Map<String, List<RegistryEndpoint>> mirrors,
    Set<String> insecure,
    Duration connectTimeout,
    Duration requestTimeout,
    Duration readTimeout,
    RetryPolicy retry,
    long uploadChunkBytes) {

  /** The file, relative to the state root. */
  public static final String FILE = "config/registries.json";

  private static final Set<String> KEYS =
      Set.of(
          "mirrors",
          "insecure",
          "connectTimeoutSeconds",
          "requestTimeoutSeconds",
          "readTimeoutSeconds",
          "maxAttempts",
          "uploadChunkBytes");

  public static final RegistryConfig DEFAULT =
      new RegistryConfig(
          Map.of(),
          Set.of(),
          Duration.ofSeconds(10),
          Duration.ofSeconds(60),
          Duration.ofSeconds(60),
          RetryPolicy.DEFAULT,
          1L << 30);

  public RegistryConfig {
    mirrors = Map.copyOf(mirrors);
    insecure = Set.copyOf(insecure);
    if (uploadChunkBytes < 1) {
      throw new IllegalArgumentException("uploadChunkBytes must be positive");
    }
  }

  /** The config under {@code root} ({@link #DEFAULT} when the file does not exist). */
  public static RegistryConfig load(StampRoot root) throws HostRuntimeException {
    Path file = root.path().resolve(FILE);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return DEFAULT;
    } catch (IOException e) {
      throw HostRuntimeException.failed("read " + file + ": " + e.getMessage(), e);
    }
    return parse(bytes, file.toString());
  }

  /** Parses the JSON; BAD_INPUT naming {@code source} and the offending key. */
  public static RegistryConfig parse(byte[] json, String source) throws HostRuntimeException {
    JsonNode root;
    try {
      root = ImageJson.mapper().readTree(json);
    } catch (IOException e) {
      throw bad(source, "not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
    }
    if (root == null || !root.isObject()) {
      throw bad(source, "expected a JSON object");
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!KEYS.contains(key)) {
        throw bad(source, "unknown key \"" + key + "\" (known: " + new TreeSet<>(KEYS) + ")");
      }
    }
    Set<String> insecure = strings(root.path("insecure"), "insecure", source);
    RegistryConfig d = DEFAULT;
    return new RegistryConfig(
        mirrors(root.path("mirrors"), insecure, source),
        insecure,
        seconds(root, "connectTimeoutSeconds", d.connectTimeout, source),
        seconds(root, "requestTimeoutSeconds", d.requestTimeout, source),
        seconds(root, "readTimeoutSeconds", d.readTimeout, source),
        new RetryPolicy(
            (int) number(root, "maxAttempts", d.retry.maxAttempts(), 1, 20, source),
            d.retry.initialBackoff(),
            d.retry.maxBackoff()),
        number(root, "uploadChunkBytes", d.uploadChunkBytes, 1024, 1L << 32, source));
  }

  /** Whether plain HTTP is allowed for {@code registry} (listed with or without its port). */
  public boolean isInsecure(String registry) {
    return listed(insecure, registry);
  }

  static boolean listed(Set<String> hosts, String host) {
    return hosts.contains(host) || hosts.contains(RegistryEndpoint.stripPort(host));
  }

  /** The mirrors for {@code registry}, in order (empty when none). */
  public List<RegistryEndpoint> mirrorsOf(String registry) {
    return mirrors.getOrDefault(registry, List.of());
  }

  public RegistryConfig withMirrors(Map<String, List<RegistryEndpoint>> newMirrors) {
    return new RegistryConfig(
        newMirrors, insecure, connectTimeout, requestTimeout, readTimeout, retry, uploadChunkBytes);
  }

  public RegistryConfig withTimeouts(Duration connect, Duration request, Duration read) {
    return new RegistryConfig(mirrors, insecure, connect, request, read, retry, uploadChunkBytes);
  }

  public RegistryConfig withRetry(RetryPolicy newRetry) {
    return new RegistryConfig(
        mirrors, insecure, connectTimeout, requestTimeout, readTimeout, newRetry, uploadChunkBytes);
  }

  public RegistryConfig withUploadChunkBytes(long bytes) {
    return new RegistryConfig(
        mirrors, insecure, connectTimeout, requestTimeout, readTimeout, retry, bytes);
  }

  private static Map<String, List<RegistryEndpoint>> mirrors(
      JsonNode node, Set<String> insecure, String source) throws HostRuntimeException {
    Map<String, List<RegistryEndpoint>> mirrors = new LinkedHashMap<>();
    if (node.isMissingNode()) {
      return mirrors;
    }
    if (!node.isObject()) {
      throw bad(source, "\"mirrors\" must map a registry to a list of mirror URLs");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      String path = "mirrors." + entry.getKey();
      List<RegistryEndpoint> endpoints = new ArrayList<>();
      for (String url : strings(entry.getValue(), path, source)) {
        try {
          endpoints.add(RegistryEndpoint.parseMirror(url, insecure));
        } catch (HostRuntimeException e) {
          throw bad(source, path + ": " + e.getMessage());
        }
      }
      mirrors.put(entry.getKey(), List.copyOf(endpoints));
    }
    return mirrors;
  }

  private static Set<String> strings(JsonNode node, String path, String source)
      throws HostRuntimeException {
    Set<String> values = new java.util.LinkedHashSet<>();
    if (node.isMissingNode()) {
      return values;
    }
    if (!node.isArray()) {
      throw bad(source, "\"" + path + "\" must be a list of strings");
    }
    for (int i = 0; i < node.size(); i++) {
      if (!node.get(i).isTextual() || node.get(i).asText().isBlank()) {
        throw bad(source, path + "[" + i + "] must be a non-empty string");
      }
      values.add(node.get(i).asText());
    }
    return values;
  }

  private static Duration seconds(JsonNode root, String key, Duration fallback, String source)
      throws HostRuntimeException {
    JsonNode node = root.path(key);
    if (node.isMissingNode()) {
      return fallback;
    }
    if (!node.isNumber() || node.asDouble() <= 0 || node.asDouble() > 86_400) {
      throw bad(source, "\"" + key + "\" must be a number of seconds in (0, 86400]");
    }
    return Duration.ofMillis(Math.max(1, Math.round(node.asDouble() * 1000)));
  }

  private static long number(
      JsonNode root, String key, long fallback, long min, long max, String source)
      throws HostRuntimeException {
    JsonNode node = root.path(key);
    if (node.isMissingNode()) {
      return fallback;
    }
    if (!node.canConvertToExactIntegral() || node.asLong() < min || node.asLong() > max) {
      throw bad(source, "\"" + key + "\" must be a whole number in [" + min + ", " + max + "]");
    }
    return node.asLong();
  }

  private static HostRuntimeException bad(String source, String why) {
    return HostRuntimeException.badInput("registry config " + source + ": " + why);
  }
}
