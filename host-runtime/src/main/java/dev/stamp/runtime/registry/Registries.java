package dev.stamp.runtime.registry;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.image.Digest;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The entry point to registries for one Stamp process: the registry config, one HTTP client, the
 * credentials and the token cache, shared by every {@link RegistryClient} it makes.
 */
public final class Registries {

  private final RegistryConfig config;
  private final Transport transport;
  private final Authenticator authenticator;
  private final Map<String, CompletableFuture<String>> uploads = new ConcurrentHashMap<>();

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

  /**
   * Whether each request is logged at debug level (the default). A short command that is not
   * debugging turns it off: asking the logger whether debug is on initialises logging (~0.1 s).
   */
  public Registries logRequests(boolean on) {
    transport.logRequests(on);
    return this;
  }

  /** Starts building the HTTP client for {@code endpoint} in the background. */
  void prepare(RegistryEndpoint endpoint) {
    transport.prepare(endpoint.uri(""));
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

  /** A blob upload to one registry that pushes of this process share (see {@link #claimUpload}). */
  static final class InFlight {
    private final CompletableFuture<String> repository;
    private final boolean mine;
    private final Runnable forget;

    private InFlight(CompletableFuture<String> repository, boolean mine, Runnable forget) {
      this.repository = repository;
      this.mine = mine;
      this.forget = forget;
    }

    /** Whether this caller sends the blob (else another push does: {@link #awaitRepository}). */
    boolean mine() {
      return mine;
    }

    /** The sender settled the blob in {@code repo} (it exists there now). */
    void done(String repo) {
      repository.complete(repo);
    }

    /** The sender failed: waiters go their own way, a later push tries afresh. */
    void failed() {
      forget.run();
      repository.complete(null);
    }

    /** The repository the other push settled the blob in; null when it failed. */
    String awaitRepository() throws HostRuntimeException {
      try {
        return repository.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw HostRuntimeException.failed("push interrupted");
      } catch (java.util.concurrent.ExecutionException e) {
        return null;
      }
    }
  }

  /**
   * Claims the upload of {@code digest} to {@code endpoint}: the first caller sends it, the others
   * wait for it and then mount it from (or find it in) the repository it went to. Settled uploads
   * are remembered for this object's life, so a blob goes up once however many pushes share it.
   */
  InFlight claimUpload(RegistryEndpoint endpoint, Digest digest) {
    String key = endpoint + " " + digest;
    CompletableFuture<String> mine = new CompletableFuture<>();
    CompletableFuture<String> other = uploads.putIfAbsent(key, mine);
    if (other != null) {
      return new InFlight(other, false, () -> {});
    }
    return new InFlight(mine, true, () -> uploads.remove(key, mine));
  }

  private String credentialName(RegistryEndpoint endpoint) {
    return endpoint.host().equals("registry-1.docker.io")
        ? dev.stamp.runtime.image.ImageReference.DOCKER_HUB
        : endpoint.host();
  }
}
