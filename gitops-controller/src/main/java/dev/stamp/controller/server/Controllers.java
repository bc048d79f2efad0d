package dev.stamp.controller.server;

import dev.stamp.agent.api.AgentClient;
import dev.stamp.builder.BuildException;
import dev.stamp.builder.engine.ImageBuilder;
import dev.stamp.controller.ControllerException;
import dev.stamp.controller.api.ControllerClient;
import dev.stamp.controller.api.ControllerMetrics;
import dev.stamp.controller.api.ControllerServer;
import dev.stamp.controller.config.ControllerConfig;
import dev.stamp.controller.config.HostConfig;
import dev.stamp.controller.config.ImagesConfig;
import dev.stamp.controller.config.RepositoryConfig;
import dev.stamp.controller.config.RepositoryCredentials;
import dev.stamp.controller.distribution.DistributionServer;
import dev.stamp.controller.distribution.PullAccess;
import dev.stamp.controller.distribution.RegistryPublisher;
import dev.stamp.controller.git.GitCredentials;
import dev.stamp.controller.git.GitRepository;
import dev.stamp.controller.git.RepoSource;
import dev.stamp.controller.images.BuildCatalog;
import dev.stamp.controller.images.CatalogEntry;
import dev.stamp.controller.images.ImagePlanner;
import dev.stamp.controller.rollout.HostAgent;
import dev.stamp.controller.rollout.Rollout;
import dev.stamp.controller.store.BuiltImage;
import dev.stamp.controller.store.ControllerStore;
import dev.stamp.controller.store.DatabaseSettings;
import dev.stamp.controller.sync.AppSync;
import dev.stamp.controller.sync.RepositoryPolicyGate;
import dev.stamp.runtime.StampRoot;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * Builds a running {@link Controller} from its configuration, in order: the store (migrations), the
 * image builder over the state root, the image distribution (the embedded endpoint, or a registry
 * images are pushed to), the agents, one watch per repository, the HTTP API, the Quartz jobs; then
 * a first sync of every repository. A failure at any step closes what was started and says which
 * step failed.
 */
public final class Controllers {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Controllers.class);

  private Controllers() {}

  /** What a started controller serves: the API's URL, the image endpoint's {@code host:port}. */
  public record Started(Controller controller, URI api, String images) implements AutoCloseable {
    @Override
    public void close() {
      controller.close();
    }
  }

  public static Started start(ControllerConfig config, StampRoot root, Clock clock)
      throws ControllerException {
    List<AutoCloseable> opened = new ArrayList<>();
    try {
      ControllerStore store = store(config, root);
      ImageBuilder builder;
      try {
        builder = ImageBuilder.open(root);
      } catch (BuildException e) {
        throw new ControllerException("open the image builder", e);
      }
      BuildCatalog catalog = new StoreCatalog(store);

      // images: the embedded endpoint (default) or a registry
      ImagesConfig images = config.images();
      String advertise;
      AppSync.ImageNames names;
      AppSync.Publisher publisher;
      if (images.distribution() == ImagesConfig.Distribution.EMBEDDED) {
        PullAccess access =
            images.pullPasswordFile() == null
                ? PullAccess.anonymousOnLoopback()
                : PullAccess.passwordFile(images.pullPasswordFile());
        DistributionServer dist =
            DistributionServer.start(
                builder.store(),
                new InetSocketAddress(images.listen().host(), images.listen().port()),
                access);
        opened.add(dist);
        advertise =
            images.advertise() != null && images.advertise().port() != 0
                ? images.advertise().toString()
                : dist.registry();
        String endpoint = advertise;
        names = (app, service, digest) -> endpoint + "/" + app + "/" + service + "@" + digest;
        publisher = AppSync.Publisher.NONE;
      } else {
        RegistryPublisher registry =
            RegistryPublisher.open(
                images.registry(),
                images.registryAuth() == null ? null : images.registryAuth().path(),
                root,
                builder.store());
        advertise = images.registry();
        names = registry::agentReference;
        publisher = (app, commit, digests) -> registry.publish(app, commit, digests);
      }

      ImageGc gc =
          new ImageGc(
              store,
              builder.store(),
              images.distribution() == ImagesConfig.Distribution.REGISTRY
                  ? images.registry()
                  : null);
      List<HostAgent> hosts = new ArrayList<>();
      for (HostConfig h : config.hosts()) {
        hosts.add(HostAgent.of(h.name(), h.labels(), agentClient(h)));
      }
      ControllerMetrics metrics = new ControllerMetrics();
      EventBus bus = new EventBus();
      Notifier notifier = new Notifier(config.notifications(), Duration.ofSeconds(2));
      opened.add(notifier);
      AppSync.Listener listener =
          new AppSync.Listener() {
            @Override
            public void event(String app) {
              bus.published(app);
            }

            @Override
            public void images(
                String app, Map<String, dev.stamp.controller.images.ServiceImage> images) {
              for (var image : images.values()) {
                switch (image.action()) {
                  case BUILD -> metrics.built("ok", image.took());
                  case REUSE -> metrics.buildCacheHit();
                  default -> {}
                }
              }
            }

            @Override
            public void released(
                String app,
                long release,
                dev.stamp.controller.store.ReleaseState state,
                String commit,
                String message) {
              notifier.released(
                  Notifier.event(state),
                  Map.of(
                      "app",
                      app,
                      "id",
                      release,
                      "state",
                      state.name().toLowerCase(java.util.Locale.ROOT),
                      "commit",
                      commit,
                      "message",
                      message == null ? "" : message));
            }
          };
      dev.stamp.policies.PolicyConfig orgPolicy = orgPolicy(config);
      Map<String, RepoWatch> repos = new LinkedHashMap<>();
      for (RepositoryConfig r : config.repositories()) {
        GitRepository git =
            GitRepository.open(
                root.path().resolve("controller/git"),
                new RepoSource(
                    r.name(), r.url().toString(), r.branch(), credentials(r.credentials())));
        ImagePlanner planner =
            new ImagePlanner(
                builder,
                catalog,
                root.path().resolve("controller/build-tmp"),
                images.parallelBuilds(),
                withoutUserInfo(r.url()),
                clock,
                // pushed as stored: the digest a release records is the one hosts pull
                images.distribution() == ImagesConfig.Distribution.REGISTRY);
        ListedOnce listedOnce = new ListedOnce(hosts); // this repository's passes
        AppSync sync =
            new AppSync(
                r.name(),
                r.path(),
                store,
                planner,
                l -> new Rollout(listedOnce.hosts(), l),
                new RepositoryPolicyGate(
                    new dev.stamp.policies.PolicyGate(orgPolicy, clock), builder.store()),
                names,
                publisher,
                gc.inUse(),
                git::snapshot,
                images.keepReleases(),
                clock,
                listener);
        repos.put(
            r.name(), new RepoWatch(r, git, store, planner, sync, metrics, clock, listedOnce));
      }
      Controller controller = new Controller(config, store, repos, bus, clock, gc);
      ControllerServer api = ControllerServer.start(apiConfig(config), controller, metrics);
      controller.closing(api);
      opened.forEach(controller::closing);
      Scheduling scheduling =
          new Scheduling(
              store.dataSource(),
              store.settings().jdbcUrl().startsWith("jdbc:postgresql:"),
              "main",
              controller::job);
      controller.closing(scheduling);
      scheduling.every(Controller.IMAGE_GC_JOB, images.gcInterval());
      for (RepositoryConfig r : config.repositories()) {
        if (r.polls()) {
          scheduling.every("poll:" + r.name(), r.poll());
        }
      }
      if (!store.settings().jdbcUrl().startsWith("jdbc:postgresql:")) {
        // H2 (the default) admits one controller per state root: what is in flight is a dead one's
        failInterrupted(store);
      }
      for (RepoWatch w : repos.values()) {
        w.poke("startup", null);
      }
      return new Started(controller, api.uri(), advertise);
    } catch (ControllerException | RuntimeException e) {
      for (int i = opened.size() - 1; i >= 0; i--) {
        try {
          opened.get(i).close();
        } catch (Exception ignored) {
          // closing after a failed start
        }
      }
      throw e;
    }
  }

  /** What an interrupted release says: it was in flight when the controller stopped. */
  static final String INTERRUPTED =
      "interrupted: the controller stopped while this release was in flight;"
          + " the startup sync makes the app's desired state true again";

  /**
   * Fails the releases a dead controller left {@code PENDING} or {@code DEPLOYING} (before the
   * startup sync, which deploys the branch head again), so none stays in flight forever.
   */
  static void failInterrupted(ControllerStore store) throws ControllerException {
    for (dev.stamp.controller.store.Release r : store.failUnfinished(INTERRUPTED)) {
      LOG.warn(
          "release {} of {} ({}) was {} when the controller stopped: marked failed",
          r.id(),
          r.app(),
          r.shortCommit(),
          r.state());
    }
  }

  /** The organisation's policy from {@code policy.file}; the defaults when there is none. */
  private static dev.stamp.policies.PolicyConfig orgPolicy(ControllerConfig config)
      throws ControllerException {
    if (config.policy() == null || config.policy().file() == null) {
      return dev.stamp.policies.PolicyConfig.defaults();
    }
    java.nio.file.Path file = config.policy().file();
    try {
      return dev.stamp.policies.PolicyConfig.parse(
          file.toString(),
          java.nio.file.Files.readString(file),
          dev.stamp.policies.rules.DefaultRules.ids());
    } catch (java.io.IOException e) {
      throw ControllerException.badInput("policy.file " + file + ": " + e.getMessage());
    } catch (dev.stamp.policies.PolicyException e) {
      throw new ControllerException("policy.file " + file, e);
    }
  }

  private static ControllerStore store(ControllerConfig config, StampRoot root)
      throws ControllerException {
    if (config.database().url() == null) {
      return ControllerStore.h2(root.path());
    }
    return ControllerStore.open(
        new DatabaseSettings(
            config.database().url(),
            Optional.ofNullable(config.database().user()),
            Optional.ofNullable(config.database().passwordFile()).map(f -> f.path())));
  }

  private static ControllerServer.Config apiConfig(ControllerConfig config) {
    var api = config.api();
    ControllerServer.Config c =
        ControllerServer.Config.of(
            api.listen().host(), api.listen().port(), api.tokenFile().path());
    return api.tls() == null ? c : c.withTls(api.tls().certFile(), api.tls().keyFile());
  }

  private static AgentClient agentClient(HostConfig h) throws ControllerException {
    SSLContext ssl = h.caFile() == null ? null : ControllerClient.trusting(h.caFile());
    return new AgentClient(h.agent(), h.tokenFile().read(), ssl, Duration.ofSeconds(30));
  }

  private static GitCredentials credentials(RepositoryCredentials c) {
    if (c == null || c.equals(RepositoryCredentials.NONE)) {
      return GitCredentials.none();
    }
    if (c.sshKeyFile() != null) {
      return GitCredentials.ssh(c.sshKeyFile().path(), c.knownHostsFile());
    }
    if (c.tokenFile() != null) {
      return GitCredentials.token(c.tokenFile().path());
    }
    if (c.passwordFile() != null) {
      return GitCredentials.basic(readQuietly(c.usernameFile()), c.passwordFile().path());
    }
    return GitCredentials.none();
  }

  private static String readQuietly(dev.stamp.controller.config.SecretFile f) {
    try {
      return f == null ? "" : f.read();
    } catch (ControllerException e) {
      return "";
    }
  }

  private static String withoutUserInfo(URI url) {
    try {
      return new URI(url.getScheme(), null, url.getHost(), url.getPort(), url.getPath(), null, null)
          .toString();
    } catch (Exception e) {
      return url.getScheme() + "://" + url.getHost() + url.getPath();
    }
  }

  /** The store's build catalogue as the planner sees it. */
  private record StoreCatalog(ControllerStore store) implements BuildCatalog {
    @Override
    public Optional<CatalogEntry> find(String key) throws ControllerException {
      return store
          .build(key)
          .map(
              b ->
                  new CatalogEntry(
                      b.buildKey(),
                      b.app(),
                      b.service(),
                      b.imageRef(),
                      b.digest(),
                      b.commit(),
                      b.builtAt(),
                      b.took()));
    }

    @Override
    public void record(CatalogEntry e) throws ControllerException {
      store.recordBuild(
          new BuiltImage(
              e.key(),
              e.app(),
              e.service(),
              e.reference(),
              e.digest(),
              e.commit(),
              e.builtAt(),
              e.took()));
    }
  }
}
