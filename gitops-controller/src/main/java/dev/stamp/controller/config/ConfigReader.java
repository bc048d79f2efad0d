package dev.stamp.controller.config;

import dev.stamp.controller.ControllerException;
import dev.stamp.controller.yaml.Problems;
import dev.stamp.controller.yaml.YamlNode;
import java.net.URI;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
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
    List<RepositoryConfig> repositories = repositories(m);
    List<HostConfig> hosts = hosts(m);
    ImagesConfig images = images(m, hosts);
    PolicyConfig policy = policy(m);
    List<NotificationConfig> notifications = notifications(m);
    if (problems.hasErrors()) {
      return null;
    }
    return build(
        m,
        "",
        problems.errorCount(),
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
    int mark = problems.errorCount();
    YamlNode.Mapping m =
        f.mapping(get(root, path), path, "a mapping (listen, tokenFile, insecure, tls)");
    HostPort listen = ApiConfig.DEFAULT_LISTEN;
    SecretFile token = null;
    boolean insecure = false;
    TlsConfig tls = null;
    if (m != null) {
      f.onlyKnown(m, path, Set.of("listen", "tokenFile", "insecure", "tls"));
      listen = hostPort(get(m, "listen"), "api.listen", listen);
      token = f.secret(get(m, "tokenFile"), "api.tokenFile");
      insecure = or(f.bool(get(m, "insecure"), "api.insecure"), false);
      tls = tls(get(m, "tls"), "api.tls");
    }
    if (problems.errorCount() > mark) {
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
    return build(m, path, mark, () -> new ApiConfig(l, t, i, s));
  }

  private TlsConfig tls(YamlNode n, String path) {
    YamlNode.Mapping m = f.mapping(n, path, "a mapping (certFile, keyFile)");
    if (m == null) {
      return null;
    }
    f.onlyKnown(m, path, Set.of("certFile", "keyFile"));
    Path cert = f.path(get(m, "certFile"), Fields.child(path, "certFile"));
    Path key = f.path(get(m, "keyFile"), Fields.child(path, "keyFile"));
    if (get(m, "certFile") == null) {
      f.missing(m, path, "certFile", "the PEM certificate chain");
    }
    if (get(m, "keyFile") == null) {
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
    int mark = problems.errorCount();
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
    return build(m, path, mark, () -> new DatabaseConfig(u, user, password));
  }

  private PolicyConfig policy(YamlNode.Mapping root) {
    YamlNode.Mapping m = f.mapping(get(root, "policy"), "policy", "a mapping (file)");
    if (m == null) {
      return PolicyConfig.NONE;
    }
    f.onlyKnown(m, "policy", Set.of("file"));
    return new PolicyConfig(f.path(get(m, "file"), "policy.file"));
  }

  // ---- repositories

  private List<RepositoryConfig> repositories(YamlNode.Mapping root) {
    List<YamlNode> items =
        f.list(get(root, "repositories"), "repositories", "a list of repositories");
    List<RepositoryConfig> out = new ArrayList<>();
    if (items == null) {
      return out;
    }
    Map<String, String> seen = new HashMap<>();
    for (int i = 0; i < items.size(); i++) {
      String path = Fields.index("repositories", i);
      YamlNode.Mapping m = item(items.get(i), path, "a repository (name, url, …)");
      if (m == null) {
        continue;
      }
      unique(m, path, seen);
      RepositoryConfig r = repository(m, path);
      if (r != null) {
        out.add(r);
      }
    }
    return out;
  }

  private RepositoryConfig repository(YamlNode.Mapping m, String path) {
    int mark = problems.errorCount();
    f.onlyKnown(
        m,
        path,
        Set.of(
            "name",
            "url",
            "branch",
            "path",
            "poll",
            "jitter",
            "credentials",
            "webhook",
            "syncWindows",
            "autoSync"));
    String name = name(m, path);
    URI url = null;
    String urlText = f.string(get(m, "url"), Fields.child(path, "url"));
    if (urlText != null) {
      try {
        url = Urls.git(urlText);
      } catch (IllegalArgumentException e) {
        f.error(get(m, "url"), Fields.child(path, "url"), e.getMessage());
      }
    } else if (Fields.isNull(get(m, "url"))) {
      f.missing(m, path, "url", "the repository's Git URL");
    }
    String branch = or(f.string(get(m, "branch"), Fields.child(path, "branch")), "main");
    check(get(m, "branch"), Fields.child(path, "branch"), RepositoryConfig.branchProblem(branch));
    String dir =
        RepositoryConfig.normalizePath(
            or(f.string(get(m, "path"), Fields.child(path, "path")), ""));
    check(get(m, "path"), Fields.child(path, "path"), RepositoryConfig.pathProblem(dir));
    Duration poll = poll(get(m, "poll"), Fields.child(path, "poll"));
    double jitter = jitter(get(m, "jitter"), Fields.child(path, "jitter"));
    RepositoryCredentials credentials =
        credentials(get(m, "credentials"), Fields.child(path, "credentials"), url);
    WebhookConfig webhook = webhook(get(m, "webhook"), Fields.child(path, "webhook"));
    List<SyncWindow> windows =
        syncWindows(get(m, "syncWindows"), Fields.child(path, "syncWindows"));
    boolean autoSync = or(f.bool(get(m, "autoSync"), Fields.child(path, "autoSync")), true);
    URI u = url;
    return build(
        m,
        path,
        mark,
        () ->
            new RepositoryConfig(
                name, u, branch, dir, poll, jitter, credentials, webhook, windows, autoSync));
  }

  private Duration poll(YamlNode n, String path) {
    if (n instanceof YamlNode.Scalar s && s.text().equals("off")) {
      return null;
    }
    Duration d = f.duration(n, path);
    if (d == null) {
      return Fields.isNull(n) ? RepositoryConfig.DEFAULT_POLL : null;
    }
    if (d.compareTo(RepositoryConfig.MIN_POLL) < 0) {
      f.error(
          n,
          path,
          "expected at least 1s (or off for webhooks only), got " + ((YamlNode.Scalar) n).text());
    }
    return d;
  }

  private double jitter(YamlNode n, String path) {
    if (Fields.isNull(n)) {
      return RepositoryConfig.DEFAULT_JITTER;
    }
    if (n instanceof YamlNode.Scalar s && s.type() != YamlNode.Type.BOOL) {
      String text = s.text().strip();
      try {
        double v =
            text.endsWith("%")
                ? Double.parseDouble(text.substring(0, text.length() - 1).strip()) / 100
                : s.type() == YamlNode.Type.STRING ? Double.NaN : Double.parseDouble(text);
        if (v >= 0 && v <= 1) {
          return v;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    f.error(
        n,
        path,
        "expected a part of the poll interval such as 10% or 0.1 (0 for none), got "
            + n.describe());
    return 0;
  }

  private RepositoryCredentials credentials(YamlNode n, String path, URI url) {
    YamlNode.Mapping m =
        f.mapping(
            n,
            path,
            "a mapping (usernameFile, passwordFile, tokenFile, sshKeyFile, knownHostsFile)");
    if (m == null) {
      return RepositoryCredentials.NONE;
    }
    int mark = problems.errorCount();
    f.onlyKnown(
        m,
        path,
        Set.of("usernameFile", "passwordFile", "tokenFile", "sshKeyFile", "knownHostsFile"));
    SecretFile user = f.secret(get(m, "usernameFile"), Fields.child(path, "usernameFile"));
    SecretFile password = f.secret(get(m, "passwordFile"), Fields.child(path, "passwordFile"));
    SecretFile token = f.secret(get(m, "tokenFile"), Fields.child(path, "tokenFile"));
    SecretFile key = f.secret(get(m, "sshKeyFile"), Fields.child(path, "sshKeyFile"));
    Path knownHosts = f.path(get(m, "knownHostsFile"), Fields.child(path, "knownHostsFile"));
    if (password != null && token != null) {
      f.error(
          get(m, "tokenFile"),
          Fields.child(path, "tokenFile"),
          "passwordFile and tokenFile exclude each other; give one");
    }
    if (password != null && user == null) {
      f.error(
          get(m, "passwordFile"),
          Fields.child(path, "passwordFile"),
          "a passwordFile needs a usernameFile");
    }
    String scheme = url == null ? null : url.getScheme().toLowerCase(Locale.ROOT);
    if (scheme != null) {
      boolean http = scheme.equals("http") || scheme.equals("https");
      for (String key2 : List.of("usernameFile", "passwordFile", "tokenFile")) {
        if (get(m, key2) != null && !http) {
          f.error(
              get(m, key2),
              Fields.child(path, key2),
              "only for http(s) repository URLs; this one is " + scheme + "://");
        }
      }
      for (String key2 : List.of("sshKeyFile", "knownHostsFile")) {
        if (get(m, key2) != null && !scheme.equals("ssh")) {
          f.error(
              get(m, key2),
              Fields.child(path, key2),
              "only for ssh:// repository URLs; this one is " + scheme + "://");
        }
      }
    }
    return or(
        build(
            m, path, mark, () -> new RepositoryCredentials(user, password, token, key, knownHosts)),
        RepositoryCredentials.NONE);
  }

  private WebhookConfig webhook(YamlNode n, String path) {
    YamlNode.Mapping m = f.mapping(n, path, "a mapping (secretFile, provider)");
    if (m == null) {
      return null;
    }
    f.onlyKnown(m, path, Set.of("secretFile", "provider"));
    SecretFile secret = f.secret(get(m, "secretFile"), Fields.child(path, "secretFile"));
    if (Fields.isNull(get(m, "secretFile"))) {
      f.missing(m, path, "secretFile", "the file holding the webhook's shared secret");
    }
    WebhookConfig.Provider provider =
        oneOf(
            get(m, "provider"),
            Fields.child(path, "provider"),
            WebhookConfig.Provider.class,
            WebhookConfig.Provider.GENERIC);
    return secret == null || provider == null ? null : new WebhookConfig(secret, provider);
  }

  private List<SyncWindow> syncWindows(YamlNode n, String path) {
    List<YamlNode> items = f.list(n, path, "a list of sync windows");
    List<SyncWindow> out = new ArrayList<>();
    if (items == null) {
      return out;
    }
    for (int i = 0; i < items.size(); i++) {
      String at = Fields.index(path, i);
      YamlNode.Mapping m = item(items.get(i), at, "a sync window (kind, schedule, duration, …)");
      if (m == null) {
        continue;
      }
      int mark = problems.errorCount();
      f.onlyKnown(m, at, Set.of("kind", "schedule", "duration", "timeZone", "apps", "manualSync"));
      SyncWindow.Kind kind =
          oneOf(get(m, "kind"), Fields.child(at, "kind"), SyncWindow.Kind.class, null);
      if (Fields.isNull(get(m, "kind"))) {
        f.missing(m, at, "kind", "allow or deny");
      }
      String schedule = f.string(get(m, "schedule"), Fields.child(at, "schedule"));
      if (Fields.isNull(get(m, "schedule"))) {
        f.missing(m, at, "schedule", "a Quartz cron expression such as \"0 0 18 ? * FRI\"");
      } else if (schedule != null) {
        check(
            get(m, "schedule"), Fields.child(at, "schedule"), SyncWindow.scheduleProblem(schedule));
      }
      Duration duration = f.duration(get(m, "duration"), Fields.child(at, "duration"));
      if (Fields.isNull(get(m, "duration"))) {
        f.missing(m, at, "duration", "how long the window stays open, such as 1h or 60h");
      } else if (duration != null && duration.isZero()) {
        f.error(get(m, "duration"), Fields.child(at, "duration"), "expected a positive duration");
      }
      ZoneId zone = ZoneOffset.UTC;
      String zoneText = f.string(get(m, "timeZone"), Fields.child(at, "timeZone"));
      if (zoneText != null) {
        try {
          zone = ZoneId.of(zoneText).normalized();
        } catch (DateTimeException e) {
          f.error(
              get(m, "timeZone"),
              Fields.child(at, "timeZone"),
              "expected a time zone such as UTC or Europe/Paris, got \"" + zoneText + "\"");
        }
      }
      List<String> apps = strings(get(m, "apps"), Fields.child(at, "apps"));
      if (apps != null && apps.isEmpty()) {
        f.error(get(m, "apps"), Fields.child(at, "apps"), "expected at least one app or \"*\"");
      }
      boolean manual = or(f.bool(get(m, "manualSync"), Fields.child(at, "manualSync")), false);
      ZoneId z = zone;
      SyncWindow w =
          build(
              m,
              at,
              mark,
              () ->
                  new SyncWindow(
                      kind, schedule, duration, z, apps == null ? List.of("*") : apps, manual));
      if (w != null) {
        out.add(w);
      }
    }
    return out;
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
      String path = Fields.index("hosts", i);
      YamlNode.Mapping m = item(items.get(i), path, "a host (name, agent, tokenFile, …)");
      if (m == null) {
        continue;
      }
      unique(m, path, seen);
      HostConfig h = host(m, path);
      if (h != null) {
        out.add(h);
      }
    }
    return out;
  }

  private HostConfig host(YamlNode.Mapping m, String path) {
    int mark = problems.errorCount();
    f.onlyKnown(
        m,
        path,
        Set.of(
            "name", "agent", "tokenFile", "caFile", "clientCertFile", "clientKeyFile", "labels"));
    String name = name(m, path);
    URI agent = null;
    String agentText = f.string(get(m, "agent"), Fields.child(path, "agent"));
    if (agentText != null) {
      try {
        agent = Urls.http(agentText, false);
      } catch (IllegalArgumentException e) {
        f.error(get(m, "agent"), Fields.child(path, "agent"), e.getMessage());
      }
    } else if (Fields.isNull(get(m, "agent"))) {
      f.missing(m, path, "agent", "the agent's URL, such as https://10.0.0.5:7000");
    }
    SecretFile token = f.secret(get(m, "tokenFile"), Fields.child(path, "tokenFile"));
    if (Fields.isNull(get(m, "tokenFile"))) {
      f.missing(m, path, "tokenFile", "the file holding the token the agent expects");
    }
    Path ca = f.path(get(m, "caFile"), Fields.child(path, "caFile"));
    Path cert = f.path(get(m, "clientCertFile"), Fields.child(path, "clientCertFile"));
    Path key = f.path(get(m, "clientKeyFile"), Fields.child(path, "clientKeyFile"));
    if ((cert == null) != (key == null) && problems.errorCount() == mark) {
      String given = cert != null ? "clientCertFile" : "clientKeyFile";
      String other = cert != null ? "clientKeyFile" : "clientCertFile";
      f.error(
          get(m, given),
          Fields.child(path, given),
          "needs " + other + " too (mutual TLS takes both)");
    }
    if (agent != null && agent.getScheme().equalsIgnoreCase("http")) {
      for (String k : List.of("caFile", "clientCertFile", "clientKeyFile")) {
        if (get(m, k) != null) {
          f.error(get(m, k), Fields.child(path, k), "only for an https agent URL");
        }
      }
    }
    Map<String, String> labels = labels(get(m, "labels"), Fields.child(path, "labels"));
    URI a = agent;
    return build(m, path, mark, () -> new HostConfig(name, a, token, ca, cert, key, labels));
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
              String at = Fields.child(path, key);
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
    int mark = problems.errorCount();
    f.onlyKnown(
        m,
        path,
        Set.of(
            "distribution",
            "listen",
            "advertise",
            "pullPasswordFile",
            "registry",
            "keepReleases",
            "parallelBuilds"));
    ImagesConfig.Distribution distribution =
        oneOf(
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
    if (distribution == null) {
      return null;
    }
    HostPort listen = null;
    HostPort advertise = null;
    SecretFile pull = null;
    String registry = null;
    if (distribution == ImagesConfig.Distribution.EMBEDDED) {
      listen = hostPort(get(m, "listen"), "images.listen", ImagesConfig.DEFAULT_LISTEN);
      advertise = hostPort(get(m, "advertise"), "images.advertise", listen);
      if (get(m, "advertise") != null && advertise != null && advertise.port() == 0) {
        f.error(
            get(m, "advertise"),
            "images.advertise",
            "expected the port agents connect to, got port 0");
      }
      pull = f.secret(get(m, "pullPasswordFile"), "images.pullPasswordFile");
      if (listen != null && !listen.isLoopback() && Fields.isNull(get(m, "pullPasswordFile"))) {
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
      if (get(m, "registry") != null) {
        f.error(get(m, "registry"), "images.registry", "only with distribution: registry");
      }
      if (advertise != null) {
        warnUnreachable(get(m, "advertise") != null ? get(m, "advertise") : m, advertise, hosts);
      }
    } else {
      for (String k : List.of("listen", "advertise", "pullPasswordFile")) {
        if (get(m, k) != null) {
          f.error(get(m, k), Fields.child(path, k), "only with distribution: embedded");
        }
      }
      registry = f.string(get(m, "registry"), "images.registry");
      if (registry != null || Fields.isNull(get(m, "registry"))) {
        String problem = ImagesConfig.registryProblem(registry);
        if (problem != null) {
          f.error(get(m, "registry") != null ? get(m, "registry") : m, "images.registry", problem);
        }
      }
    }
    HostPort l = listen;
    HostPort a = advertise;
    SecretFile p = pull;
    String r = registry;
    return build(m, path, mark, () -> new ImagesConfig(distribution, l, a, p, r, keep, parallel));
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
      String path = Fields.index("notifications", i);
      YamlNode.Mapping m =
          item(items.get(i), path, "a notification target (url, secretFile, events)");
      if (m == null) {
        continue;
      }
      int mark = problems.errorCount();
      f.onlyKnown(m, path, Set.of("url", "secretFile", "events"));
      URI url = null;
      String text = f.string(get(m, "url"), Fields.child(path, "url"));
      if (text != null) {
        try {
          url = Urls.http(text, true);
          if (url.getScheme().equalsIgnoreCase("http") && !HostPort.isLoopback(url.getHost())) {
            f.warn(
                get(m, "url"),
                Fields.child(path, "url"),
                "plain http: events cross the network unencrypted");
          }
        } catch (IllegalArgumentException e) {
          f.error(get(m, "url"), Fields.child(path, "url"), e.getMessage());
        }
      } else if (Fields.isNull(get(m, "url"))) {
        f.missing(m, path, "url", "where events are POSTed (https://…)");
      }
      SecretFile secret = f.secret(get(m, "secretFile"), Fields.child(path, "secretFile"));
      Set<NotificationConfig.Event> events = EnumSet.noneOf(NotificationConfig.Event.class);
      List<YamlNode> eventNodes =
          f.list(get(m, "events"), Fields.child(path, "events"), "a list of events");
      if (eventNodes != null) {
        for (int j = 0; j < eventNodes.size(); j++) {
          NotificationConfig.Event e =
              oneOf(
                  eventNodes.get(j),
                  Fields.index(Fields.child(path, "events"), j),
                  NotificationConfig.Event.class,
                  null);
          if (e != null) {
            events.add(e);
          }
        }
      }
      URI u = url;
      NotificationConfig n = build(m, path, mark, () -> new NotificationConfig(u, secret, events));
      if (n != null) {
        out.add(n);
      }
    }
    return out;
  }

  // ---- shared steps

  private static YamlNode get(YamlNode.Mapping m, String key) {
    return m == null ? null : m.entries().get(key);
  }

  private static <T> T or(T value, T otherwise) {
    return value == null ? otherwise : value;
  }

  /** A list item that must be a mapping (null is an error here, not "absent"). */
  private YamlNode.Mapping item(YamlNode n, String path, String what) {
    if (n instanceof YamlNode.Mapping m) {
      return m;
    }
    f.error(n, path, "expected " + what + ", got " + n.describe());
    return null;
  }

  private String name(YamlNode.Mapping m, String path) {
    String name = f.string(get(m, "name"), Fields.child(path, "name"));
    if (name == null && Fields.isNull(get(m, "name"))) {
      f.missing(m, path, "name", "a name such as web-1");
    }
    check(get(m, "name"), Fields.child(path, "name"), Names.problem(name));
    return name;
  }

  /** Records an error when a repository's or host's name was given before. */
  private void unique(YamlNode.Mapping m, String path, Map<String, String> seen) {
    if (get(m, "name") instanceof YamlNode.Scalar s && !s.isNull()) {
      String first = seen.putIfAbsent(s.text(), path);
      if (first != null) {
        f.error(
            s,
            Fields.child(path, "name"),
            "\"" + s.text() + "\" is already the name of " + first + "; names must be unique");
      }
    }
  }

  private void check(YamlNode at, String path, String problem) {
    if (problem != null) {
      f.error(at, path, problem);
    }
  }

  private HostPort hostPort(YamlNode n, String path, HostPort otherwise) {
    String text = f.string(n, path);
    if (text == null) {
      return Fields.isNull(n) ? otherwise : null;
    }
    try {
      return HostPort.parse(text);
    } catch (ControllerException e) {
      f.error(n, path, e.getMessage());
      return null;
    }
  }

  private List<String> strings(YamlNode n, String path) {
    if (n instanceof YamlNode.Scalar s && !s.isNull()) {
      return List.of(s.text());
    }
    List<YamlNode> items = f.list(n, path, "a list of strings");
    if (items == null) {
      return null;
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      String s = f.string(items.get(i), Fields.index(path, i));
      if (s != null) {
        out.add(s);
      }
    }
    return out;
  }

  /** An enum constant named in lower case ({@code rolled_back}), or {@code otherwise} if absent. */
  private <E extends Enum<E>> E oneOf(YamlNode n, String path, Class<E> type, E otherwise) {
    String text = f.string(n, path);
    if (text == null) {
      return Fields.isNull(n) ? otherwise : null;
    }
    for (E e : type.getEnumConstants()) {
      if (e.name().toLowerCase(Locale.ROOT).equals(text)) {
        return e;
      }
    }
    List<String> names =
        java.util.Arrays.stream(type.getEnumConstants())
            .map(e -> e.name().toLowerCase(Locale.ROOT))
            .toList();
    f.error(n, path, "expected one of " + String.join(", ", names) + ", got \"" + text + "\"");
    return null;
  }

  /**
   * {@code value.get()} when no error was recorded since {@code mark}; a constructor's refusal
   * becomes an error at {@code at} (the readers above check first, so this is a safety net).
   */
  private <T> T build(YamlNode at, String path, int mark, Supplier<T> value) {
    if (problems.errorCount() > mark) {
      return null;
    }
    try {
      return value.get();
    } catch (IllegalArgumentException | NullPointerException e) {
      f.error(at, path, e.getMessage());
      return null;
    }
  }
}
