package dev.stamp.runtime.registry;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampRoot;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The entry point to registries for one Stamp process: the registry config, one HTTP client, the
 * credentials and the token cache, shared by every {@link RegistryClient} it makes.
 */
public final class Registries {

  private final RegistryConfig config;
  private final Transport transport;
  private final Authenticator authenticator;

  public Registries(RegistryConfig config, CredentialSource credentials) {
    this.config = config;
    this.transport = new Transport(config);
    this.authenticator = new Authenticator(transport, credentials);
  }

  /** Config from {@code ROOT/config/registries.json}, credentials from Docker's config.json. */
  public static Registries open(StampRoot root, Map<String, String> env)
      throws HostRuntimeException {
    return new Registries(RegistryConfig.load(root), DockerConfigCredentials.fromEnvironment(env));
  }

  public RegistryConfig config() {
    return config;
  }

  /** Where {@code registry} itself answers. */
  public RegistryEndpoint endpoint(String registry) {
    return RegistryEndpoint.of(registry, config);
  }

  /** Where to pull from {@code registry}: its mirrors in order, then the registry itself. */
  public List<RegistryEndpoint> pullEndpoints(String registry) {
    List<RegistryEndpoint> all = new ArrayList<>(config.mirrorsOf(registry));
    all.add(endpoint(registry));
    return List.copyOf(new LinkedHashSet<>(all));
  }

  /**
   * A client that pulls {@code repository} from {@code endpoint} (the registry or a mirror of it);
   * credentials are looked up by the endpoint's host.
   */
  public RegistryClient pullClient(RegistryEndpoint endpoint, String repository, String action) {
    return new RegistryClient(
        transport,
        authenticator,
        endpoint,
        credentialName(endpoint),
        repository,
        List.of("repository:" + repository + ":pull"),
        action);
  }

  /**
   * A client that pushes to {@code repository} of {@code registry}, allowed to mount blobs from
   * {@code mountSources} (other repositories of the same registry).
   */
  public RegistryClient pushClient(
      String registry, String repository, Set<String> mountSources, String action) {
    List<String> scopes = new ArrayList<>();
    scopes.add("repository:" + repository + ":pull,push");
    for (String source : mountSources) {
      if (!source.equals(repository)) {
        scopes.add("repository:" + source + ":pull");
      }
    }
    return new RegistryClient(
        transport, authenticator, endpoint(registry), registry, repository, scopes, action);
  }

  /** A client for registry-wide calls ({@link RegistryClient#listRepositories()}). */
  public RegistryClient catalogClient(String registry, String action) {
    return new RegistryClient(
        transport,
        authenticator,
        endpoint(registry),
        registry,
        null,
        List.of("registry:catalog:*"),
        action);
  }

  private String credentialName(RegistryEndpoint endpoint) {
    return endpoint.host().equals("registry-1.docker.io")
        ? dev.stamp.runtime.image.ImageReference.DOCKER_HUB
        : endpoint.host();
  }
}
