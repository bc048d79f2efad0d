package dev.stamp.controller.config;

import dev.stamp.controller.ControllerException;
import dev.stamp.controller.yaml.Problems;
import dev.stamp.controller.yaml.YamlProblem;
import dev.stamp.controller.yaml.YamlReader;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The controller's configuration ({@code controller.yaml}, kept outside any GitOps repository):
 * where its state lives, its API, its database, the repositories it watches, the hosts it deploys
 * to, how images reach them, the organisation's policy and who hears about releases.
 *
 * <p>{@link #load} reports a bad file as one {@link ConfigException} (BAD_INPUT) listing every
 * problem with file, line, column and field path; unknown keys are {@link #warnings()} for the
 * caller to log. Relative paths resolve against the file's directory. No secret is read while
 * loading: each is a {@link SecretFile}, read when used.
 *
 * <p>A configuration without repositories is valid: the controller then serves {@code stamp up}
 * (apps pushed from a working directory) and its API only. {@code stateRoot} is null when the file
 * leaves it to the CLI's {@code --root}; {@code file} is null for {@link #embeddedDefault}.
 */
public record ControllerConfig(
    Path file,
    Path stateRoot,
    ApiConfig api,
    DatabaseConfig database,
    List<RepositoryConfig> repositories,
    List<HostConfig> hosts,
    ImagesConfig images,
    PolicyConfig policy,
    List<NotificationConfig> notifications,
    List<YamlProblem> warnings) {

  /** The configuration file's conventional name. */
  public static final String FILE_NAME = "controller.yaml";

  /** The local host's name in {@link #embeddedDefault}. */
  public static final String LOCAL_HOST = "local";

  public ControllerConfig {
    Objects.requireNonNull(api, "api");
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(images, "images");
    Objects.requireNonNull(policy, "policy");
    repositories = List.copyOf(repositories);
    hosts = List.copyOf(hosts);
    notifications = List.copyOf(notifications);
    warnings = List.copyOf(warnings);
    requireUnique(repositories, RepositoryConfig::name, "repository");
    requireUnique(hosts, HostConfig::name, "host");
  }

  /**
   * Reads and validates {@code file}.
   *
   * @throws ConfigException BAD_INPUT listing every problem (a missing file, text that is not UTF-8
   *     or not YAML, wrong fields)
   * @throws ControllerException FAILED when the file exists but cannot be read
   */
  public static ControllerConfig load(Path file) throws ControllerException {
    Path abs = file.toAbsolutePath().normalize();
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(abs);
    } catch (NoSuchFileException e) {
      throw single(file.toString(), "no such file");
    } catch (IOException e) {
      throw ControllerException.failed("reading controller configuration " + file + ": " + e, e);
    }
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      throw single(file.toString(), "not UTF-8 text");
    }
    return read(file.toString(), text, abs.getParent(), abs);
  }

  /**
   * Validates configuration text: {@code fileName} names it in messages, {@code baseDir} is the
   * directory relative paths resolve against.
   *
   * @throws ConfigException BAD_INPUT listing every problem
   */
  public static ControllerConfig parse(String fileName, String text, Path baseDir)
      throws ConfigException {
    Path base = baseDir.toAbsolutePath().normalize();
    return read(fileName, text, base, base.resolve(fileName).normalize());
  }

  private static ControllerConfig read(String fileName, String text, Path baseDir, Path file)
      throws ConfigException {
    Problems problems = new Problems(fileName);
    var root = YamlReader.read(text, problems);
    if (problems.hasErrors()) {
      throw new ConfigException(problems.errors(), problems.warnings());
    }
    return ConfigReader.read(root, problems, baseDir, file);
  }

  private static ConfigException single(String file, String message) {
    return new ConfigException(List.of(new YamlProblem(file, 0, 0, "", message, false)), List.of());
  }

  /**
   * The configuration {@code stamp controller} uses without a file, for one machine: the local
   * agent at {@code localAgent} (host {@value #LOCAL_HOST}) with its token file, images served by
   * the controller on loopback ({@link ImagesConfig#DEFAULT}), the API on {@link
   * ApiConfig#DEFAULT_LISTEN} with its token in {@code stateRoot/controller/api-token} (create it
   * with {@link SecretFile#createIfAbsent()} before serving), the default database, no
   * repositories.
   */
  public static ControllerConfig embeddedDefault(
      Path stateRoot, URI localAgent, Path agentTokenFile) {
    Path root = stateRoot.toAbsolutePath().normalize();
    return new ControllerConfig(
        null,
        root,
        new ApiConfig(
            ApiConfig.DEFAULT_LISTEN,
            new SecretFile(root.resolve("controller").resolve("api-token")),
            false,
            null),
        DatabaseConfig.DEFAULT,
        List.of(),
        List.of(HostConfig.of(LOCAL_HOST, localAgent, new SecretFile(agentTokenFile), Map.of())),
        ImagesConfig.DEFAULT,
        PolicyConfig.NONE,
        List.of(),
        List.of());
  }

  /** The repository called {@code name}. */
  public Optional<RepositoryConfig> repository(String name) {
    return repositories.stream().filter(r -> r.name().equals(name)).findFirst();
  }

  /** The host called {@code name}. */
  public Optional<HostConfig> host(String name) {
    return hosts.stream().filter(h -> h.name().equals(name)).findFirst();
  }

  /** Every secret file the configuration names, in file order (each once). */
  public List<SecretFile> secretFiles() {
    Set<SecretFile> out = new java.util.LinkedHashSet<>();
    out.add(api.tokenFile());
    out.add(database.passwordFile());
    for (RepositoryConfig r : repositories) {
      RepositoryCredentials c = r.credentials();
      out.addAll(
          java.util.Arrays.asList(
              c.usernameFile(), c.passwordFile(), c.tokenFile(), c.sshKeyFile()));
      out.add(r.webhook() == null ? null : r.webhook().secretFile());
    }
    hosts.forEach(h -> out.add(h.tokenFile()));
    out.add(images.pullPasswordFile());
    out.add(images.registryAuth());
    notifications.forEach(n -> out.add(n.secretFile()));
    out.remove(null);
    return List.copyOf(out);
  }

  /**
   * Reads every secret file once and forgets the contents, so a controller fails at start rather
   * than at its first sync.
   *
   * @throws ControllerException BAD_INPUT listing each file that cannot be used (missing, open to
   *     group or others, empty); FAILED and retryable when one could not be read for another reason
   *     (an I/O error)
   */
  public void checkSecrets() throws ControllerException {
    List<String> problems = new ArrayList<>();
    boolean retryable = false;
    for (SecretFile s : secretFiles()) {
      try {
        s.read();
      } catch (ControllerException e) {
        problems.add(e.getMessage());
        retryable |= e.retryable();
      }
    }
    if (!problems.isEmpty()) {
      String message =
          "checking the secret files of "
              + (file == null ? "the controller configuration" : file)
              + ":\n"
              + String.join("\n", problems);
      throw retryable
          ? ControllerException.unavailable(message, null)
          : ControllerException.badInput(message);
    }
  }

  private static <T> void requireUnique(List<T> items, Function<T, String> name, String what) {
    Set<String> seen = new HashSet<>();
    for (T item : items) {
      if (!seen.add(name.apply(item))) {
        throw new IllegalArgumentException(
            "two " + what + "s are called \"" + name.apply(item) + "\"; names must be unique");
      }
    }
  }
}
