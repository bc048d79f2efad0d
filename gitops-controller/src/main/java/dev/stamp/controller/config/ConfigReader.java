package dev.stamp.controller.config;

import static dev.stamp.controller.config.Fields.child;
import static dev.stamp.controller.config.Fields.get;
import static dev.stamp.controller.config.Fields.index;
import static dev.stamp.controller.config.Fields.isNull;
import static dev.stamp.controller.config.Fields.or;

import dev.stamp.controller.yaml.Problems;
import dev.stamp.controller.yaml.YamlNode;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One read of {@code controller.yaml}, section by section: each reports every problem it finds with
 * its position and field path, and builds its value only when it found none.
 */
final class ConfigReader {

  private static final Set<String> TOP =
      Set.of(
          "stateRoot",
          "api",
          "database",
          "repositories",
          "hosts",
          "images",
          "policy",
          "notifications");
  private static final Pattern LABEL =
      Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?");

  private final Problems problems;
  private final Fields f;

  private ConfigReader(Problems problems, Path baseDir) {
    this.problems = problems;
    this.f = new Fields(problems, baseDir);
  }

  /**
   * The configuration in {@code problems}' file; {@code file} is what {@link
   * ControllerConfig#file()} will say.
   */
  static ControllerConfig read(YamlNode root, Problems problems, Path baseDir, Path file)
      throws ConfigException {
    ControllerConfig config = new ConfigReader(problems, baseDir).config(root, file);
    if (problems.hasErrors() || config == null) {
      throw new ConfigException(problems.errors(), problems.warnings());
    }
    return config;
  }

  private ControllerConfig config(YamlNode root, Path file) {
    String expected = "a mapping (the controller's configuration: api, repositories, hosts, …)";
    if (root == null) {
      problems.error(0, 0, "", "expected " + expected + ", got an empty document");
      return null;
    }
    if (!(root instanceof YamlNode.Mapping m)) {
      problems.error(root, "", "expected " + expected + ", got " + root.describe());
      return null;
    }
    f.onlyKnown(m, "", TOP);
    Path stateRoot = f.path(get(m, "stateRoot"), "stateRoot");
    ApiConfig api = api(m);
    DatabaseConfig database = database(m);
    List<RepositoryConfig> repositories = new RepositoryReader(f).repositories(m);
    List<HostConfig> hosts = hosts(m);
    ImagesConfig images = images(m, hosts);
    PolicyConfig policy = policy(m);
    List<NotificationConfig> notifications = notifications(m);
    if (problems.hasErrors()) {
      return null;
    }
    return f.build(
        m,
        "",
        f.errorCount(),
        () ->
            new ControllerConfig(
                file,
                stateRoot,
                api,
                database,
                repositories,
                hosts,
                images,
                policy,
                notifications,
                problems.warnings()));
  }

  // ---- api, database, policy

  private ApiConfig api(YamlNode.Mapping root) {
    String path = "api";
    int mark = f.errorCount();
    YamlNode.Mapping m =
        f.mapping(get(root, path), path, "a mapping (listen, tokenFile, insecure, tls)");
    HostPort listen = ApiConfig.DEFAULT_LISTEN;
    SecretFile token = null;
    boolean insecure = false;
    TlsConfig tls = null;
    if (m != null) {
      f.onlyKnown(m, path, Set.of("listen", "tokenFile", "insecure", "tls"));
      listen = f.hostPort(get(m, "listen"), "api.listen", listen);
      token = f.secret(get(m, "tokenFile"), "api.tokenFile");
      insecure = or(f.bool(get(m, "insecure"), "api.insecure"), false);
      tls = tls(get(m, "tls"), "api.tls");
    }
    if (f.errorCount() > mark) {
      return null;
    }
    YamlNode insecureAt = m == null ? null : get(m, "insecure");
    if (insecure && token != null) {
      f.error(
          insecureAt,
          "api.insecure",
          "insecure: true and tokenFile contradict each other; remove one");
    } else if (insecure && !listen.isLoopback()) {
      f.error(
          insecureAt,
          "api.insecure",
          "insecure: true is only allowed when api.listen is a loopback address, not "
              + listen
              + "; give a tokenFile");
    } else if (!insecure && token == null) {
      f.missing(
          m != null ? m : root,
          "api",
          "tokenFile",
          "a file holding the bearer token API clients present (only with a loopback"
              + " api.listen may insecure: true replace it)");
    }
    if (!listen.isLoopback() && tls == null && token != null) {
      f.warn(
          get(m, "listen"),
          "api.listen",
          "the API listens on "
              + listen
              + " without tls: tokens cross the network in clear text unless a proxy in front"
              + " terminates TLS");
    }
    HostPort l = listen;
    SecretFile t = token;
    boolean i = insecure;
    TlsConfig s = tls;
    return f.build(m, path, mark, () -> new ApiConfig(l, t, i, s));
  }

  private TlsConfig tls(YamlNode n, String path) {
    YamlNode.Mapping m = f.mapping(n, path, "a mapping (certFile, keyFile)");
    if (m == null) {
      return null;
    }
    f.onlyKnown(m, path, Set.of("certFile", "keyFile"));
    Path cert = f.path(get(m, "certFile"), child(path, "certFile"));
    Path key = f.path(get(m, "keyFile"), child(path, "keyFile"));
    if (isNull(get(m, "certFile"))) {
      f.missing(m, path, "certFile", "the PEM certificate chain");
    }
    if (isNull(get(m, "keyFile"))) {
      f.missing(m, path, "keyFile", "the PEM private key");
    }
    return cert == null || key == null ? null : new TlsConfig(cert, key);
  }

  private DatabaseConfig database(YamlNode.Mapping root) {
    String path = "database";
    YamlNode.Mapping m = f.mapping(get(root, path), path, "a mapping (url, user, passwordFile)");
    if (m == null) {
      return DatabaseConfig.DEFAULT;
    }
    int mark = f.errorCount();
    f.onlyKnown(m, path, Set.of("url", "user", "passwordFile"));
    String url = f.string(get(m, "url"), "database.url");
    if (url != null && url.isBlank()) {
      url = null;
    }
    String problem = DatabaseConfig.urlProblem(url);
    if (problem != null) {
      f.error(get(m, "url"), "database.url", problem);
    }
    String user = f.string(get(m, "user"), "database.user");
    SecretFile password = f.secret(get(m, "passwordFile"), "database.passwordFile");
    String u = url;
    return f.build(m, path, mark, () -> new DatabaseConfig(u, user, password));
  }

  private PolicyConfig policy(YamlNode.Mapping root) {
    YamlNode.Mapping m = f.mapping(get(root, "policy"), "policy", "a mapping (file)");
    if (m == null) {
      return PolicyConfig.NONE;
    }
    f.onlyKnown(m, "policy", Set.of("file"));
    return new PolicyConfig(f.path(get(m, "file"), "policy.file"));
  }

  // ---- hosts

  private List<HostConfig> hosts(YamlNode.Mapping root) {
    List<YamlNode> items = f.list(get(root, "hosts"), "hosts", "a list of hosts");
    List<HostConfig> out = new ArrayList<>();
    if (items == null) {
      return out;
    }
    Map<String, String> seen = new HashMap<>();
    for (int i = 0; i < items.size(); i++) {
      String path = index("hosts", i);
      YamlNode.Mapping m = f.item(items.get(i), path, "a host (name, agent, tokenFile, …)");
      if (m == null) {
        continue;
      }
      f.unique(m, path, seen);
      HostConfig h = host(m, path);
      if (h != null) {
        out.add(h);
      }
    }
    return out;
  }

  private HostConfig host(YamlNode.Mapping m, String path) {
    int mark = f.errorCount();
    f.onlyKnown(
        m,
        path,
        Set.of(
            "name", "agent", "tokenFile", "caFile", "clientCertFile", "clientKeyFile", "labels"));
    String name = f.name(m, path);
    URI agent = null;
    String agentText = f.string(get(m, "agent"), child(path, "agent"));
    if (agentText != null) {
      try {
        agent = Urls.http(agentText, false);
      } catch (IllegalArgumentException e) {
        f.error(get(m, "agent"), child(path, "agent"), e.getMessage());
      }
    } else if (isNull(get(m, "agent"))) {
      f.missing(m, path, "agent", "the agent's URL, such as https://10.0.0.5:7000");
    }
    SecretFile token = f.secret(get(m, "tokenFile"), child(path, "tokenFile"));
    if (isNull(get(m, "tokenFile"))) {
      f.missing(m, path, "tokenFile", "the file holding the token the agent expects");
    }
    Path ca = f.path(get(m, "caFile"), child(path, "caFile"));
    Path cert = f.path(get(m, "clientCertFile"), child(path, "clientCertFile"));
    Path key = f.path(get(m, "clientKeyFile"), child(path, "clientKeyFile"));
    if ((cert == null) != (key == null) && f.errorCount() == mark) {
      String given = cert != null ? "clientCertFile" : "clientKeyFile";
      String other = cert != null ? "clientKeyFile" : "clientCertFile";
      f.error(get(m, given), child(path, given), "needs " + other + " too (mutual TLS takes both)");
    }
    if (agent != null && agent.getScheme().equalsIgnoreCase("http")) {
      for (String k : List.of("caFile", "clientCertFile", "clientKeyFile")) {
        if (!isNull(get(m, k))) {
          f.error(get(m, k), child(path, k), "only for an https agent URL");
        }
      }
    }
    Map<String, String> labels = labels(get(m, "labels"), child(path, "labels"));
    URI a = agent;
    return f.build(m, path, mark, () -> new HostConfig(name, a, token, ca, cert, key, labels));
  }

  private Map<String, String> labels(YamlNode n, String path) {
    Map<String, String> out = new LinkedHashMap<>();
    YamlNode.Mapping m = f.mapping(n, path, "a mapping of label names to values");
    if (m == null) {
      return out;
    }
    m.entries()
        .forEach(
            (key, value) -> {
              String at = child(path, key);
              if (!LABEL.matcher(key).matches()) {
                f.error(
                    m.keys().get(key),
                    at,
                    "expected a label name of letters, digits, '_', '.' and '-', got \""
                        + key
                        + "\"");
              }
              if (value instanceof YamlNode.Scalar s && !s.isNull()) {
                out.put(key, s.text());
              } else {
                f.error(value, at, "expected a string, got " + value.describe());
              }
            });
    return out;
  }

  // ---- images

  private ImagesConfig images(YamlNode.Mapping root, List<HostConfig> hosts) {
    String path = "images";
    YamlNode.Mapping m =
        f.mapping(get(root, path), path, "a mapping (distribution, listen, registry, …)");
    if (m == null) {
      warnUnreachable(null, ImagesConfig.DEFAULT.advertise(), hosts);
      return ImagesConfig.DEFAULT;
    }
    int mark = f.errorCount();
    f.onlyKnown(
        m,
        path,
        Set.of(
            "distribution",
            "listen",
            "advertise",
            "pullPasswordFile",
            "registry",
            "registryAuth",
            "keepReleases",
            "parallelBuilds",
            "gcInterval"));
    ImagesConfig.Distribution distribution =
        f.oneOf(
            get(m, "distribution"),
            "images.distribution",
            ImagesConfig.Distribution.class,
            ImagesConfig.Distribution.EMBEDDED);
    int keep =
        or(
            f.integer(get(m, "keepReleases"), "images.keepReleases", 1),
            ImagesConfig.DEFAULT_KEEP_RELEASES);
    int parallel =
        or(
            f.integer(get(m, "parallelBuilds"), "images.parallelBuilds", 1),
            ImagesConfig.DEFAULT_PARALLEL_BUILDS);
    Duration gcInterval =
        or(f.duration(get(m, "gcInterval"), "images.gcInterval"), ImagesConfig.DEFAULT_GC_INTERVAL);
    if (gcInterval.compareTo(ImagesConfig.MIN_GC_INTERVAL) < 0) {
      f.error(
          get(m, "gcInterval"),
          "images.gcInterval",
          "expected at least " + ImagesConfig.MIN_GC_INTERVAL.toSeconds() + "s, got " + gcInterval);
    }
    if (distribution == null) {
      return null;
    }
    HostPort listen = null;
    HostPort advertise = null;
    SecretFile pull = null;
    String registry = null;
    SecretFile auth = null;
    if (distribution == ImagesConfig.Distribution.EMBEDDED) {
      listen = f.hostPort(get(m, "listen"), "images.listen", ImagesConfig.DEFAULT_LISTEN);
      advertise = f.hostPort(get(m, "advertise"), "images.advertise", listen);
      if (get(m, "advertise") != null && advertise != null && advertise.port() == 0) {
        f.error(
            get(m, "advertise"),
            "images.advertise",
            "expected the port agents connect to, got port 0");
      }
      pull = f.secret(get(m, "pullPasswordFile"), "images.pullPasswordFile");
      if (listen != null && !listen.isLoopback() && isNull(get(m, "pullPasswordFile"))) {
        f.missing(
            m,
            path,
            "pullPasswordFile",
            "the password agents present (user "
                + ImagesConfig.PULL_USER
                + ") when images are served beyond loopback ("
                + listen
                + ")");
      }
      for (String k : List.of("registry", "registryAuth")) {
        if (!isNull(get(m, k))) {
          f.error(get(m, k), child(path, k), "only with distribution: registry");
        }
      }
      if (advertise != null) {
        warnUnreachable(get(m, "advertise") != null ? get(m, "advertise") : m, advertise, hosts);
      }
    } else {
      for (String k : List.of("listen", "advertise", "pullPasswordFile")) {
        if (!isNull(get(m, k))) {
          f.error(get(m, k), child(path, k), "only with distribution: embedded");
        }
      }
      registry = f.string(get(m, "registry"), "images.registry");
      if (registry != null || isNull(get(m, "registry"))) {
        String problem = ImagesConfig.registryProblem(registry);
        if (problem != null) {
          f.error(get(m, "registry") != null ? get(m, "registry") : m, "images.registry", problem);
        }
      }
      auth = f.secret(get(m, "registryAuth"), "images.registryAuth");
      if (auth != null && registry != null && f.errorCount() == mark) {
        String problem = RegistryAuth.problem(auth, ImagesConfig.registryHost(registry));
        if (problem != null) {
          f.error(get(m, "registryAuth"), "images.registryAuth", problem);
        }
      }
    }
    HostPort l = listen;
    HostPort a = advertise;
    SecretFile p = pull;
    String r = registry;
    SecretFile ra = auth;
    return f.build(
        m,
        path,
        mark,
        () -> new ImagesConfig(distribution, l, a, p, r, ra, keep, parallel, gcInterval));
  }

  /** A warning when agents on other machines are told to pull from a loopback address. */
  private void warnUnreachable(YamlNode at, HostPort advertise, List<HostConfig> hosts) {
    if (!advertise.isLoopback()) {
      return;
    }
    List<String> remote =
        hosts.stream()
            .filter(h -> !HostPort.isLoopback(h.agent().getHost()))
            .map(HostConfig::name)
            .toList();
    if (!remote.isEmpty()) {
      f.warn(
          at,
          "images.advertise",
          "agents on other machines ("
              + String.join(", ", remote)
              + ") cannot pull from "
              + advertise
              + "; set images.listen and images.advertise to an address they reach");
    }
  }

  // ---- notifications

  private List<NotificationConfig> notifications(YamlNode.Mapping root) {
    List<YamlNode> items =
        f.list(get(root, "notifications"), "notifications", "a list of notification targets");
    List<NotificationConfig> out = new ArrayList<>();
    if (items == null) {
      return out;
    }
    for (int i = 0; i < items.size(); i++) {
      String path = index("notifications", i);
      YamlNode.Mapping m =
          f.item(items.get(i), path, "a notification target (url, secretFile, events)");
      if (m == null) {
        continue;
      }
      int mark = f.errorCount();
      f.onlyKnown(m, path, Set.of("url", "secretFile", "events"));
      URI url = null;
      String text = f.string(get(m, "url"), child(path, "url"));
      if (text != null) {
        try {
          url = Urls.http(text, true);
          if (url.getScheme().equalsIgnoreCase("http") && !HostPort.isLoopback(url.getHost())) {
            f.warn(
                get(m, "url"),
                child(path, "url"),
                "plain http: events cross the network unencrypted");
          }
        } catch (IllegalArgumentException e) {
          f.error(get(m, "url"), child(path, "url"), e.getMessage());
        }
      } else if (isNull(get(m, "url"))) {
        f.missing(m, path, "url", "where events are POSTed (https://…)");
      }
      SecretFile secret = f.secret(get(m, "secretFile"), child(path, "secretFile"));
      Set<NotificationConfig.Event> events = EnumSet.noneOf(NotificationConfig.Event.class);
      List<YamlNode> eventNodes =
          f.list(get(m, "events"), child(path, "events"), "a list of events");
      if (eventNodes != null) {
        for (int j = 0; j < eventNodes.size(); j++) {
          NotificationConfig.Event e =
              f.oneOf(
                  eventNodes.get(j),
                  index(child(path, "events"), j),
                  NotificationConfig.Event.class,
                  null);
          if (e != null) {
            events.add(e);
          }
        }
      }
      URI u = url;
      NotificationConfig n =
          f.build(m, path, mark, () -> new NotificationConfig(u, secret, events));
      if (n != null) {
        out.add(n);
      }
    }
    return out;
  }
}
