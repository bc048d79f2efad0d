package dev.stamp.runtime.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.image.ImageJson;
import dev.stamp.runtime.image.ImageReference;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Credentials from Docker's {@code config.json} ({@code $DOCKER_CONFIG/config.json}, else {@code
 * ~/.docker/config.json}): {@code auths.<host>.auth} (base64 {@code user:pass}), or {@code
 * username}/{@code password}, or {@code identitytoken}. Keys may carry a scheme and path ({@code
 * https://index.docker.io/v1/}). Credential helpers ({@code credsStore}, {@code credHelpers}) are
 * not run: a registry that needs one gets a BAD_INPUT saying so.
 */
public final class DockerConfigCredentials implements CredentialSource {

  private static final List<String> DOCKER_HUB_ALIASES =
      List.of("docker.io", "index.docker.io", "registry-1.docker.io");

  private final Path file;

  public DockerConfigCredentials(Path file) {
    this.file = file;
  }

  /** The config file Docker would read with this environment. */
  public static DockerConfigCredentials fromEnvironment(Map<String, String> env) {
    String dir = env.get("DOCKER_CONFIG");
    Path base =
        dir == null || dir.isBlank()
            ? Path.of(System.getProperty("user.home"), ".docker")
            : Path.of(dir);
    return new DockerConfigCredentials(base.resolve("config.json"));
  }

  public Path file() {
    return file;
  }

  @Override
  public String describe() {
    return file.toString();
  }

  @Override
  public Optional<Credentials> find(String registry) throws HostRuntimeException {
    JsonNode config = read();
    if (config == null) {
      return Optional.empty();
    }
    List<String> names =
        registry.equals(ImageReference.DOCKER_HUB)
            ? DOCKER_HUB_ALIASES
            : List.of(registry.toLowerCase(Locale.ROOT));
    String helper = helperFor(config, names);
    JsonNode entry = authEntry(config.path("auths"), names);
    Optional<Credentials> found = entry == null ? Optional.empty() : credentials(entry, registry);
    if (found.isEmpty() && helper != null) {
      throw HostRuntimeException.badInput(
          "credentials for "
              + registry
              + ": "
              + file
              + " keeps them in the credential helper docker-credential-"
              + helper
              + ", which stamp does not run; add an \"auth\" entry for "
              + registry
              + " under \"auths\" instead");
    }
    return found;
  }

  private JsonNode read() throws HostRuntimeException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw HostRuntimeException.failed("read " + file + ": " + e.getMessage(), e);
    }
    try {
      JsonNode node = ImageJson.mapper().readTree(bytes);
      if (node == null || !node.isObject()) {
        throw HostRuntimeException.badInput("docker config " + file + ": expected a JSON object");
      }
      return node;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      var at = e.getLocation();
      throw HostRuntimeException.badInput(
          "docker config "
              + file
              + (at == null ? "" : ":" + at.getLineNr() + ":" + at.getColumnNr())
              + ": not valid JSON: "
              + e.getOriginalMessage().lines().findFirst().orElse(""));
    } catch (IOException e) {
      throw HostRuntimeException.failed("read " + file + ": " + e.getMessage(), e);
    }
  }

  private static String helperFor(JsonNode config, List<String> names) {
    JsonNode helpers = config.path("credHelpers");
    for (Iterator<Map.Entry<String, JsonNode>> it = helpers.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (names.contains(normalise(e.getKey())) && e.getValue().isTextual()) {
        return e.getValue().asText();
      }
    }
    JsonNode store = config.path("credsStore");
    return store.isTextual() && !store.asText().isBlank() ? store.asText() : null;
  }

  private static JsonNode authEntry(JsonNode auths, List<String> names) {
    for (Iterator<Map.Entry<String, JsonNode>> it = auths.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (names.contains(normalise(e.getKey()))) {
        return e.getValue();
      }
    }
    return null;
  }

  private Optional<Credentials> credentials(JsonNode entry, String registry)
      throws HostRuntimeException {
    String token = text(entry, "identitytoken");
    String auth = text(entry, "auth");
    String username = text(entry, "username");
    String password = text(entry, "password");
    if (auth != null) {
      String pair = decode(auth, registry);
      int colon = pair.indexOf(':');
      if (colon < 0) {
        throw HostRuntimeException.badInput(
            "docker config " + file + ": auths." + registry + ".auth is not base64 of user:pass");
      }
      username = pair.substring(0, colon);
      password = pair.substring(colon + 1);
    }
    if (token != null) {
      return Optional.of(new Credentials(username, password, token));
    }
    if (username != null && password != null) {
      return Optional.of(Credentials.basic(username, password));
    }
    return Optional.empty();
  }

  private String decode(String auth, String registry) throws HostRuntimeException {
    try {
      return new String(Base64.getDecoder().decode(auth.strip()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw HostRuntimeException.badInput(
          "docker config " + file + ": auths." + registry + ".auth is not valid base64");
    }
  }

  /** {@code https://index.docker.io/v1/} → {@code index.docker.io}. */
  static String normalise(String key) {
    String k = key.strip().toLowerCase(Locale.ROOT);
    int scheme = k.indexOf("://");
    if (scheme >= 0) {
      k = k.substring(scheme + 3);
    }
    int slash = k.indexOf('/');
    return slash < 0 ? k : k.substring(0, slash);
  }

  private static String text(JsonNode node, String key) {
    JsonNode v = node.path(key);
    return v.isTextual() && !v.asText().isEmpty() ? v.asText() : null;
  }
}
