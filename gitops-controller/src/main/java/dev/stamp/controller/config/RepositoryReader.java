package dev.stamp.controller.config;

import static dev.stamp.controller.config.Fields.child;
import static dev.stamp.controller.config.Fields.get;
import static dev.stamp.controller.config.Fields.index;
import static dev.stamp.controller.config.Fields.isNull;
import static dev.stamp.controller.config.Fields.or;

import dev.stamp.controller.yaml.YamlNode;
import java.net.URI;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The {@code repositories} section: each repository, its credentials, webhook and windows. */
final class RepositoryReader {

  private final Fields f;

  RepositoryReader(Fields f) {
    this.f = f;
  }

  List<RepositoryConfig> repositories(YamlNode.Mapping root) {
    List<YamlNode> items =
        f.list(get(root, "repositories"), "repositories", "a list of repositories");
    List<RepositoryConfig> out = new ArrayList<>();
    if (items == null) {
      return out;
    }
    Map<String, String> seen = new HashMap<>();
    for (int i = 0; i < items.size(); i++) {
      String path = index("repositories", i);
      YamlNode.Mapping m = f.item(items.get(i), path, "a repository (name, url, …)");
      if (m == null) {
        continue;
      }
      f.unique(m, path, seen);
      RepositoryConfig r = repository(m, path);
      if (r != null) {
        out.add(r);
      }
    }
    return out;
  }

  private RepositoryConfig repository(YamlNode.Mapping m, String path) {
    int mark = f.errorCount();
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
            "autoSync",
            "prune"));
    String name = f.name(m, path);
    URI url = null;
    String urlText = f.string(get(m, "url"), child(path, "url"));
    if (urlText != null) {
      try {
        url = Urls.git(urlText);
      } catch (IllegalArgumentException e) {
        f.error(get(m, "url"), child(path, "url"), e.getMessage());
      }
    } else if (isNull(get(m, "url"))) {
      f.missing(m, path, "url", "the repository's Git URL");
    }
    String branch =
        or(f.string(get(m, "branch"), child(path, "branch")), RepositoryConfig.DEFAULT_BRANCH);
    f.check(get(m, "branch"), child(path, "branch"), RepositoryConfig.branchProblem(branch));
    String dir =
        RepositoryConfig.normalizePath(or(f.string(get(m, "path"), child(path, "path")), ""));
    f.check(get(m, "path"), child(path, "path"), RepositoryConfig.pathProblem(dir));
    Duration poll = poll(get(m, "poll"), child(path, "poll"));
    double jitter = jitter(get(m, "jitter"), child(path, "jitter"));
    RepositoryCredentials credentials =
        credentials(get(m, "credentials"), child(path, "credentials"), url);
    WebhookConfig webhook = webhook(get(m, "webhook"), child(path, "webhook"));
    List<SyncWindow> windows = syncWindows(get(m, "syncWindows"), child(path, "syncWindows"));
    boolean autoSync = or(f.bool(get(m, "autoSync"), child(path, "autoSync")), true);
    boolean prune = or(f.bool(get(m, "prune"), child(path, "prune")), true);
    if (poll == null && webhook == null && get(m, "poll") != null && f.errorCount() == mark) {
      f.warn(
          get(m, "poll"),
          child(path, "poll"),
          "poll: off and no webhook: the repository is only fetched on stamp sync");
    }
    URI u = url;
    return f.build(
        m,
        path,
        mark,
        () ->
            new RepositoryConfig(
                name,
                u,
                branch,
                dir,
                poll,
                jitter,
                credentials,
                webhook,
                windows,
                autoSync,
                prune));
  }

  private Duration poll(YamlNode n, String path) {
    if (n instanceof YamlNode.Scalar s && s.text().equals("off")) {
      return null;
    }
    Duration d = f.duration(n, path);
    if (d == null) {
      return isNull(n) ? RepositoryConfig.DEFAULT_POLL : null;
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
    if (isNull(n)) {
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
    int mark = f.errorCount();
    f.onlyKnown(
        m,
        path,
        Set.of("usernameFile", "passwordFile", "tokenFile", "sshKeyFile", "knownHostsFile"));
    SecretFile user = f.secret(get(m, "usernameFile"), child(path, "usernameFile"));
    SecretFile password = f.secret(get(m, "passwordFile"), child(path, "passwordFile"));
    SecretFile token = f.secret(get(m, "tokenFile"), child(path, "tokenFile"));
    SecretFile key = f.secret(get(m, "sshKeyFile"), child(path, "sshKeyFile"));
    Path knownHosts = f.path(get(m, "knownHostsFile"), child(path, "knownHostsFile"));
    if (password != null && token != null) {
      f.error(
          get(m, "tokenFile"),
          child(path, "tokenFile"),
          "passwordFile and tokenFile exclude each other; give one");
    }
    if (password != null && user == null) {
      f.error(
          get(m, "passwordFile"),
          child(path, "passwordFile"),
          "a passwordFile needs a usernameFile");
    }
    String scheme = url == null ? null : url.getScheme().toLowerCase(Locale.ROOT);
    if (scheme != null) {
      boolean http = scheme.equals("http") || scheme.equals("https");
      for (String field : List.of("usernameFile", "passwordFile", "tokenFile")) {
        if (!isNull(get(m, field)) && !http) {
          f.error(
              get(m, field),
              child(path, field),
              "only for http(s) repository URLs; this one is " + scheme + "://");
        }
      }
      for (String field : List.of("sshKeyFile", "knownHostsFile")) {
        if (!isNull(get(m, field)) && !scheme.equals("ssh")) {
          f.error(
              get(m, field),
              child(path, field),
              "only for ssh:// repository URLs; this one is " + scheme + "://");
        }
      }
    }
    return or(
        f.build(
            m, path, mark, () -> new RepositoryCredentials(user, password, token, key, knownHosts)),
        RepositoryCredentials.NONE);
  }

  private WebhookConfig webhook(YamlNode n, String path) {
    YamlNode.Mapping m = f.mapping(n, path, "a mapping (secretFile, provider)");
    if (m == null) {
      return null;
    }
    f.onlyKnown(m, path, Set.of("secretFile", "provider"));
    SecretFile secret = f.secret(get(m, "secretFile"), child(path, "secretFile"));
    if (isNull(get(m, "secretFile"))) {
      f.missing(m, path, "secretFile", "the file holding the webhook's shared secret");
    }
    WebhookConfig.Provider provider =
        f.oneOf(
            get(m, "provider"),
            child(path, "provider"),
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
      String at = index(path, i);
      YamlNode.Mapping m = f.item(items.get(i), at, "a sync window (kind, schedule, duration, …)");
      if (m == null) {
        continue;
      }
      int mark = f.errorCount();
      f.onlyKnown(m, at, Set.of("kind", "schedule", "duration", "timeZone", "apps", "manualSync"));
      SyncWindow.Kind kind =
          f.oneOf(get(m, "kind"), child(at, "kind"), SyncWindow.Kind.class, null);
      if (isNull(get(m, "kind"))) {
        f.missing(m, at, "kind", "allow or deny");
      }
      String schedule = f.string(get(m, "schedule"), child(at, "schedule"));
      if (isNull(get(m, "schedule"))) {
        f.missing(m, at, "schedule", "a Quartz cron expression such as \"0 0 18 ? * FRI\"");
      } else if (schedule != null) {
        f.check(get(m, "schedule"), child(at, "schedule"), SyncWindow.scheduleProblem(schedule));
      }
      Duration duration = f.duration(get(m, "duration"), child(at, "duration"));
      if (isNull(get(m, "duration"))) {
        f.missing(m, at, "duration", "how long the window stays open, such as 1h or 60h");
      } else if (duration != null && duration.isZero()) {
        f.error(get(m, "duration"), child(at, "duration"), "expected a positive duration");
      }
      ZoneId zone = ZoneOffset.UTC;
      String zoneText = f.string(get(m, "timeZone"), child(at, "timeZone"));
      if (zoneText != null) {
        try {
          zone = ZoneId.of(zoneText).normalized();
        } catch (DateTimeException e) {
          f.error(
              get(m, "timeZone"),
              child(at, "timeZone"),
              "expected a time zone such as UTC or Europe/Paris, got \"" + zoneText + "\"");
        }
      }
      List<String> apps = f.strings(get(m, "apps"), child(at, "apps"));
      if (apps != null && apps.isEmpty()) {
        f.error(get(m, "apps"), child(at, "apps"), "expected at least one app or \"*\"");
      }
      boolean manual = or(f.bool(get(m, "manualSync"), child(at, "manualSync")), false);
      ZoneId z = zone;
      SyncWindow w =
          f.build(
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
}
