package dev.stamp.controller.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.controller.ControllerException;
import dev.stamp.controller.yaml.YamlProblem;
import dev.stamp.runtime.StampException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControllerConfigTest {

  static final Path BASE = Path.of("/etc/stamp");

  /** A valid minimum other tests add to. */
  static final String API = "api: {tokenFile: secrets/api-token}\n";

  static ControllerConfig parse(String yaml) throws ConfigException {
    return ControllerConfig.parse("controller.yaml", yaml, BASE);
  }

  static List<String> errors(String yaml) {
    return errors(yaml, BASE);
  }

  /** The problems of {@code yaml} read in {@code dir}; fails when there are none. */
  static List<String> errors(String yaml, Path dir) {
    try {
      ControllerConfig.parse("controller.yaml", yaml, dir);
    } catch (ConfigException e) {
      assertThat(e.kind()).isEqualTo(StampException.Kind.BAD_INPUT);
      assertThat(e.retryable()).isFalse();
      assertThat(e.getMessage())
          .isEqualTo(String.join("\n", e.problems().stream().map(Object::toString).toList()));
      return e.problems().stream().map(Object::toString).toList();
    }
    throw new AssertionError("expected the configuration to be refused:\n" + yaml);
  }

  @Test
  void theMinimumIsAnApiTokenAndEverythingElseHasDefaults() throws Exception {
    ControllerConfig c = parse(API);

    assertThat(c.file()).isEqualTo(BASE.resolve("controller.yaml"));
    assertThat(c.stateRoot()).isNull();
    assertThat(c.api().listen()).isEqualTo(new HostPort("127.0.0.1", 7700));
    assertThat(c.api().tokenFile().path()).isEqualTo(Path.of("/etc/stamp/secrets/api-token"));
    assertThat(c.api().insecure()).isFalse();
    assertThat(c.api().tls()).isNull();
    assertThat(c.database()).isEqualTo(DatabaseConfig.DEFAULT);
    assertThat(c.repositories()).isEmpty();
    assertThat(c.hosts()).isEmpty();
    assertThat(c.images()).isEqualTo(ImagesConfig.DEFAULT);
    assertThat(c.images().advertise()).isEqualTo(new HostPort("127.0.0.1", 7701));
    assertThat(c.images().keepReleases()).isEqualTo(20);
    assertThat(c.images().parallelBuilds()).isEqualTo(2);
    assertThat(c.policy()).isEqualTo(PolicyConfig.NONE);
    assertThat(c.notifications()).isEmpty();
    assertThat(c.warnings()).isEmpty();
  }

  @Test
  void repositoryDefaults() throws Exception {
    ControllerConfig c =
        parse(API + "repositories:\n  - {name: shop, url: 'git://127.0.0.1:9418/shop.git'}\n");

    RepositoryConfig r = c.repository("shop").orElseThrow();
    assertThat(r.url()).isEqualTo(URI.create("git://127.0.0.1:9418/shop.git"));
    assertThat(r.branch()).isEqualTo("main");
    assertThat(r.path()).isEmpty();
    assertThat(r.poll()).isEqualTo(Duration.ofSeconds(60));
    assertThat(r.jitter()).isEqualTo(0.1);
    assertThat(r.credentials()).isEqualTo(RepositoryCredentials.NONE);
    assertThat(r.webhook()).isNull();
    assertThat(r.syncWindows()).isEmpty();
    assertThat(r.autoSync()).isTrue();
    assertThat(c.repository("other")).isEmpty();
  }

  @Test
  void everyFieldRead() throws Exception {
    ControllerConfig c =
        parse(
            """
            stateRoot: state
            api:
              listen: "[::1]:0"
              insecure: true
              tls: {certFile: tls/api.crt, keyFile: /abs/api.key}
            database: {url: "jdbc:postgresql://db:5432/stamp", user: stamp, passwordFile: db-pw}
            repositories:
              - name: shop
                url: ssh://git@git.example/org/shop.git
                branch: release/1.x
                path: ./deploy/prod/
                poll: off
                credentials: {sshKeyFile: keys/id_ed25519, knownHostsFile: keys/known_hosts}
                webhook: {secretFile: hook, provider: gitlab}
                syncWindows:
                  - {kind: allow, schedule: "0 0 9 ? * MON-FRI", duration: 8h, timeZone: Europe/Paris, apps: [web, "api-*"]}
                autoSync: false
              - name: local
                url: https://git.example/local.git
                poll: 1h30m
                jitter: 25%
                credentials: {usernameFile: u, passwordFile: p}
            hosts:
              - name: web-1
                agent: https://10.0.0.5:7000
                tokenFile: web-1.token
                caFile: ca.pem
                clientCertFile: c.crt
                clientKeyFile: c.key
                labels: {role: web, zone: 1}
            images:
              distribution: registry
              registry: 127.0.0.1:5000/stamp
              keepReleases: 5
              parallelBuilds: 4
            policy: {file: org-policy.yaml}
            notifications:
              - {url: "https://hooks.example/stamp", secretFile: notify, events: [failed, rolled_back]}
              - {url: "http://127.0.0.1:9000/hook"}
            """);

    assertThat(c.stateRoot()).isEqualTo(Path.of("/etc/stamp/state"));
    assertThat(c.api().listen()).isEqualTo(new HostPort("::1", 0));
    assertThat(c.api().insecure()).isTrue();
    assertThat(c.api().tokenFile()).isNull();
    assertThat(c.api().tls())
        .isEqualTo(new TlsConfig(Path.of("/etc/stamp/tls/api.crt"), Path.of("/abs/api.key")));
    assertThat(c.database().url()).isEqualTo("jdbc:postgresql://db:5432/stamp");
    assertThat(c.database().user()).isEqualTo("stamp");
    assertThat(c.database().passwordFile()).isEqualTo(new SecretFile(Path.of("/etc/stamp/db-pw")));

    RepositoryConfig shop = c.repositories().get(0);
    assertThat(shop.url()).isEqualTo(URI.create("ssh://git@git.example/org/shop.git"));
    assertThat(shop.branch()).isEqualTo("release/1.x");
    assertThat(shop.path()).isEqualTo("deploy/prod");
    assertThat(shop.polls()).isFalse();
    assertThat(shop.credentials().sshKeyFile().path())
        .isEqualTo(Path.of("/etc/stamp/keys/id_ed25519"));
    assertThat(shop.credentials().knownHostsFile())
        .isEqualTo(Path.of("/etc/stamp/keys/known_hosts"));
    assertThat(shop.webhook())
        .isEqualTo(
            new WebhookConfig(
                new SecretFile(Path.of("/etc/stamp/hook")), WebhookConfig.Provider.GITLAB));
    SyncWindow w = shop.syncWindows().get(0);
    assertThat(w.kind()).isEqualTo(SyncWindow.Kind.ALLOW);
    assertThat(w.schedule()).isEqualTo("0 0 9 ? * MON-FRI");
    assertThat(w.duration()).isEqualTo(Duration.ofHours(8));
    assertThat(w.timeZone().getId()).isEqualTo("Europe/Paris");
    assertThat(w.apps()).containsExactly("web", "api-*");
    assertThat(w.manualSync()).isFalse();
    assertThat(shop.autoSync()).isFalse();

    RepositoryConfig local = c.repositories().get(1);
    assertThat(local.url()).isEqualTo(URI.create("https://git.example/local.git"));
    assertThat(local.poll()).isEqualTo(Duration.ofMinutes(90));
    assertThat(local.jitter()).isEqualTo(0.25);
    assertThat(local.credentials().usernameFile().path()).isEqualTo(Path.of("/etc/stamp/u"));

    HostConfig h = c.host("web-1").orElseThrow();
    assertThat(h.agent()).isEqualTo(URI.create("https://10.0.0.5:7000"));
    assertThat(h.tokenFile().path()).isEqualTo(Path.of("/etc/stamp/web-1.token"));
    assertThat(h.caFile()).isEqualTo(Path.of("/etc/stamp/ca.pem"));
    assertThat(h.mutualTls()).isTrue();
    assertThat(h.labels()).containsExactly(Map.entry("role", "web"), Map.entry("zone", "1"));

    assertThat(c.images().distribution()).isEqualTo(ImagesConfig.Distribution.REGISTRY);
    assertThat(c.images().registry()).isEqualTo("127.0.0.1:5000/stamp");
    assertThat(c.images().listen()).isNull();
    assertThat(c.images().keepReleases()).isEqualTo(5);
    assertThat(c.images().parallelBuilds()).isEqualTo(4);
    assertThat(c.policy().file()).isEqualTo(Path.of("/etc/stamp/org-policy.yaml"));

    NotificationConfig n = c.notifications().get(0);
    assertThat(n.events())
        .containsExactly(NotificationConfig.Event.FAILED, NotificationConfig.Event.ROLLED_BACK);
    assertThat(n.wants(NotificationConfig.Event.SUCCEEDED)).isFalse();
    assertThat(c.notifications().get(1).events())
        .isEqualTo(EnumSet.allOf(NotificationConfig.Event.class));
    assertThat(c.notifications().get(1).secretFile()).isNull();
    assertThat(c.warnings()).isEmpty();
  }

  @Test
  void theExampleFromTheIssueNamesFileLineColumnAndPath() {
    assertThat(
            errors(
                API
                    + """
                    hosts:
                      - {name: web-1, agent: "https://10.0.0.5:7000", tokenFile: t}
                      - name: web-2
                        agent: 10.0.0.5:7000
                        tokenFile: t
                    """))
        .containsExactly(
            "controller.yaml:5:12: hosts[1].agent: expected an http(s) URL, got \"10.0.0.5:7000\"");
  }

  @Test
  void everyProblemAtOnceInDocumentOrder() {
    List<String> errors =
        errors(
            """
            api:
              listen: localhost
            repositories:
              - name: Shop
                url: ftp://example/shop.git
                poll: soon
                autoSync: yes
            hosts:
              - name: web-1
                agent: http://10.0.0.5:7000
            images:
              keepReleases: 0
              parallelBuilds: two
            notifications:
              - {url: "https://h.example", events: [finished]}
            """);

    assertThat(errors)
        .containsExactly(
            "controller.yaml:2:11: api.listen: expected host:port (port 0-65535), got"
                + " \"localhost\"",
            "controller.yaml:4:11: repositories[0].name: expected a name of lowercase letters,"
                + " digits, '_', '.' and '-' starting with a letter or digit (at most 63"
                + " characters), got \"Shop\"",
            "controller.yaml:5:10: repositories[0].url: expected a file://, git://, http(s):// or"
                + " ssh:// URL or an absolute path, got \"ftp://example/shop.git\"",
            "controller.yaml:6:11: repositories[0].poll: expected a duration such as 90s, 5m,"
                + " 1h30m or 60h, got \"soon\"",
            "controller.yaml:7:15: repositories[0].autoSync: expected true or false, got \"yes\"",
            "controller.yaml:9:5: hosts[0].tokenFile: required: the file holding the token the"
                + " agent expects",
            "controller.yaml:10:12: hosts[0].agent: plain http is only allowed to a loopback"
                + " address (tokens would cross the network in clear text); use https, got"
                + " \"http://10.0.0.5:7000\"",
            "controller.yaml:12:17: images.keepReleases: expected an integer of at least 1, got 0",
            "controller.yaml:13:19: images.parallelBuilds: expected an integer, got \"two\"",
            "controller.yaml:15:41: notifications[0].events[0]: expected one of succeeded,"
                + " failed, rolled_back, denied, partial, got \"finished\"");
  }

  @Test
  void apiTokenRules() {
    assertThat(errors("stateRoot: /x\n"))
        .containsExactly(
            "controller.yaml:1:1: api.tokenFile: required: a file holding the bearer token API"
                + " clients present (only with a loopback api.listen may insecure: true replace"
                + " it)");
    assertThat(errors("api:\n  listen: 0.0.0.0:7700\n  insecure: true\n"))
        .containsExactly(
            "controller.yaml:3:13: api.insecure: insecure: true is only allowed when api.listen"
                + " is a loopback address, not 0.0.0.0:7700; give a tokenFile");
    assertThat(errors("api: {tokenFile: t, insecure: true}\n"))
        .containsExactly(
            "controller.yaml:1:31: api.insecure: insecure: true and tokenFile contradict each"
                + " other; remove one");
    assertThat(errors("api: {insecure: 1, tls: {certFile: c}}\n"))
        .containsExactly(
            "controller.yaml:1:17: api.insecure: expected true or false, got the number 1",
            "controller.yaml:1:25: api.tls.keyFile: required: the PEM private key");
  }

  @Test
  void anExplicitNullIsNoValue() {
    assertThat(errors("api: {tokenFile: t, tls: {certFile: c, keyFile: ~}}\n"))
        .containsExactly("controller.yaml:1:26: api.tls.keyFile: required: the PEM private key");
    assertThat(errors("api: {tokenFile: ~}\n"))
        .singleElement()
        .asString()
        .startsWith("controller.yaml:1:6: api.tokenFile: required:");
  }

  @Test
  void insecureApiOnLoopbackNeedsNoToken() throws Exception {
    ControllerConfig c = parse("api: {listen: 'localhost:7700', insecure: true}\n");
    assertThat(c.api().insecure()).isTrue();
    assertThat(c.api().tokenFile()).isNull();
  }

  @Test
  void anApiBeyondLoopbackWithoutTlsIsAWarning() throws Exception {
    ControllerConfig c = parse("api: {listen: '0.0.0.0:7700', tokenFile: t}\n");
    assertThat(c.warnings())
        .extracting(Object::toString)
        .containsExactly(
            "controller.yaml:1:15: warning: api.listen: the API listens on 0.0.0.0:7700 without"
                + " tls: tokens cross the network in clear text unless a proxy in front"
                + " terminates TLS");
  }

  @Test
  void unknownKeysAreWarningsWithPositionAndAHint() throws Exception {
    ControllerConfig c =
        parse(
            """
            api: {tokenFile: t, tokenfile: u}
            x-defaults: &d {poll: 5m}
            repository: []
            repositories:
              - name: shop
                url: /srv/shop.git
                brnach: main
                colour: blue
            """);

    assertThat(c.warnings())
        .extracting(Object::toString)
        .containsExactly(
            "controller.yaml:1:21: warning: api.tokenfile: unknown key, ignored; did you mean"
                + " tokenFile?",
            "controller.yaml:3:1: warning: repository: unknown key, ignored",
            "controller.yaml:7:5: warning: repositories[0].brnach: unknown key, ignored",
            "controller.yaml:8:5: warning: repositories[0].colour: unknown key, ignored");
    assertThat(c.warnings()).allMatch(YamlProblem::warning);
  }

  @Test
  void warningsComeWithTheErrorsToo() {
    try {
      parse("api: {tokenFile: t}\nhosts: {}\nbogus: 1\n");
      throw new AssertionError("accepted");
    } catch (ConfigException e) {
      assertThat(e.problems())
          .extracting(Object::toString)
          .containsExactly("controller.yaml:2:8: hosts: expected a list of hosts, got a mapping");
      assertThat(e.warnings())
          .extracting(Object::toString)
          .containsExactly("controller.yaml:3:1: warning: bogus: unknown key, ignored");
    }
  }

  @Test
  void duplicateNamesAreRefusedAtTheSecondOne() {
    assertThat(
            errors(
                API
                    + """
                    repositories:
                      - {name: shop, url: /a.git}
                      - {name: shop, url: /b.git}
                    hosts:
                      - {name: web, agent: "https://a:1", tokenFile: t}
                      - {name: db, agent: "https://b:1", tokenFile: t}
                      - {name: web, agent: "https://c:1", tokenFile: t}
                    """))
        .containsExactly(
            "controller.yaml:4:12: repositories[1].name: \"shop\" is already the name of"
                + " repositories[0]; names must be unique",
            "controller.yaml:8:12: hosts[2].name: \"web\" is already the name of hosts[0]; names"
                + " must be unique");
  }

  @Test
  void recordsRefuseDuplicateNamesToo() {
    HostConfig h =
        HostConfig.of("web", URI.create("https://a:1"), new SecretFile(Path.of("/t")), Map.of());
    assertThatThrownBy(
            () ->
                new ControllerConfig(
                    null,
                    null,
                    new ApiConfig(ApiConfig.DEFAULT_LISTEN, null, true, null),
                    DatabaseConfig.DEFAULT,
                    List.of(),
                    List.of(h, h),
                    ImagesConfig.DEFAULT,
                    PolicyConfig.NONE,
                    List.of(),
                    List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("two hosts are called \"web\"");
  }

  @Test
  void urlsCarryingAPasswordAreRefusedWithoutQuotingIt() {
    List<String> errors =
        errors(
            API
                + """
                repositories:
                  - {name: a, url: "https://bob:hunter2@git.example/a.git"}
                  - {name: b, url: "ssh://git:hunter2@git.example/b.git"}
                hosts:
                  - {name: h, agent: "https://admin:hunter2@10.0.0.5:7000", tokenFile: t}
                database: {url: "jdbc:postgresql://db/stamp?user=s&password=hunter2"}
                notifications:
                  - {url: "https://x:hunter2@hooks.example/"}
                """);

    assertThat(errors).hasSize(5);
    assertThat(String.join("\n", errors)).doesNotContain("hunter2");
    assertThat(errors.get(0))
        .isEqualTo(
            "controller.yaml:3:20: repositories[0].url: a URL must not carry a password (it would"
                + " end up in logs and in the API); got \"https://bob:***@git.example/a.git\";"
                + " put the secret in credentials.passwordFile or credentials.tokenFile");
    assertThat(errors.get(2)).startsWith("controller.yaml:6:22: hosts[0].agent: a URL must not");
    assertThat(errors.get(3))
        .isEqualTo(
            "controller.yaml:7:17: database.url: a password in the URL is refused (it would end"
                + " up in logs); put it in database.passwordFile");
  }

  @Test
  void repositoryUrlForms() throws Exception {
    for (String ok :
        List.of(
            "file:///srv/git/shop.git",
            "/srv/git/shop.git",
            "git://127.0.0.1:9418/shop.git",
            "http://127.0.0.1:8080/shop.git",
            "https://git.example/org/shop.git",
            "ssh://git@git.example:2222/org/shop.git")) {
      assertThat(parse(API + "repositories: [{name: r, url: '" + ok + "'}]").repositories())
          .as(ok)
          .hasSize(1);
    }
    assertThat(parse(API + "repositories: [{name: r, url: '/tmp/../srv/my repo'}]").repositories())
        .extracting(RepositoryConfig::url)
        .containsExactly(URI.create("file:///srv/my%20repo"));
    assertThat(parse(API + "repositories: [{name: r, url: /tmp}]").repositories())
        .extracting(RepositoryConfig::url)
        .containsExactly(URI.create("file:///tmp"));
    assertThat(errors(API + "repositories: [{name: r, url: 'git@github.com:org/shop.git'}]"))
        .singleElement()
        .asString()
        .endsWith("(write scp-like addresses as ssh://git@github.com/org/shop.git)");
    assertThat(errors(API + "repositories: [{name: r, url: 'shop.git'}]"))
        .singleElement()
        .asString()
        .contains("expected a file://, git://, http(s):// or ssh:// URL or an absolute path");
  }

  @Test
  void repositoryFieldChecks() {
    List<String> errors =
        errors(
            API
                + """
                repositories:
                  - name: a
                    url: git://h/a.git
                    branch: "bad..name"
                    path: ../outside
                    poll: 0s
                    jitter: 2
                    credentials: {tokenFile: t, sshKeyFile: k}
                    webhook: {provider: bitbucket}
                  - {name: b}
                  - null
                """);

    assertThat(errors)
        .containsExactly(
            "controller.yaml:5:13: repositories[0].branch: expected a branch name such as main or"
                + " release/1.x, got \"bad..name\"",
            "controller.yaml:6:11: repositories[0].path: expected a directory inside the"
                + " repository such as apps or deploy/prod (relative, no '..'), got"
                + " \"../outside\"",
            "controller.yaml:7:11: repositories[0].poll: expected at least 1s (or off for"
                + " webhooks only), got 0s",
            "controller.yaml:8:13: repositories[0].jitter: expected a part of the poll interval"
                + " such as 10% or 0.1 (0 for none), got the number 2",
            "controller.yaml:9:30: repositories[0].credentials.tokenFile: only for http(s)"
                + " repository URLs; this one is git://",
            "controller.yaml:9:45: repositories[0].credentials.sshKeyFile: only for ssh://"
                + " repository URLs; this one is git://",
            "controller.yaml:10:14: repositories[0].webhook.secretFile: required: the file holding"
                + " the webhook's shared secret",
            "controller.yaml:10:25: repositories[0].webhook.provider: expected one of github,"
                + " gitlab, generic, got \"bitbucket\"",
            "controller.yaml:11:5: repositories[1].url: required: the repository's Git URL",
            "controller.yaml:12:5: repositories[2]: expected a repository (name, url, …), got"
                + " null");
  }

  @Test
  void httpCredentialRules() {
    assertThat(
            errors(
                API
                    + "repositories: [{name: a, url: 'https://h/a.git', credentials:"
                    + " {passwordFile: p, tokenFile: t}}]"))
        .containsExactly(
            "controller.yaml:2:78: repositories[0].credentials.passwordFile: a passwordFile needs"
                + " a usernameFile",
            "controller.yaml:2:92: repositories[0].credentials.tokenFile: passwordFile and"
                + " tokenFile exclude each other; give one");
  }

  @Test
  void syncWindowChecks() {
    List<String> errors =
        errors(
            API
                + """
                repositories:
                  - name: a
                    url: /a.git
                    syncWindows:
                      - {kind: never, schedule: "0 0 18 * * FRI", duration: 0s, timeZone: Mars/Olympus, apps: []}
                      - {schedule: "every friday"}
                """);

    assertThat(errors).hasSize(8);
    assertThat(errors.get(0))
        .isEqualTo(
            "controller.yaml:6:16: repositories[0].syncWindows[0].kind: expected one of allow,"
                + " deny, got \"never\"");
    assertThat(errors.get(1))
        .startsWith(
            "controller.yaml:6:33: repositories[0].syncWindows[0].schedule: expected a Quartz"
                + " cron expression")
        .contains("\"0 0 18 * * FRI\"")
        .contains("day-of-week AND a day-of-month");
    assertThat(errors.get(2))
        .isEqualTo(
            "controller.yaml:6:61: repositories[0].syncWindows[0].duration: expected a positive"
                + " duration");
    assertThat(errors.get(3))
        .isEqualTo(
            "controller.yaml:6:75: repositories[0].syncWindows[0].timeZone: expected a time zone"
                + " such as UTC or Europe/Paris, got \"Mars/Olympus\"");
    assertThat(errors.get(4)).contains("syncWindows[0].apps: expected at least one app");
    assertThat(errors.subList(5, 8))
        .containsExactly(
            "controller.yaml:7:9: repositories[0].syncWindows[1].kind: required: allow or deny",
            "controller.yaml:7:9: repositories[0].syncWindows[1].duration: required: how long"
                + " the window stays open, such as 1h or 60h",
            "controller.yaml:7:20: repositories[0].syncWindows[1].schedule: expected a Quartz"
                + " cron expression (seconds minutes hours day-of-month month day-of-week"
                + " [year], such as \"0 0 18 ? * FRI\"), got \"every friday\": Illegal characters"
                + " for this position: 'EVE'");
  }

  @Test
  void hostChecks() {
    List<String> errors =
        errors(
            API
                + """
                hosts:
                  - name: a
                    agent: http://127.0.0.1:7000
                    tokenFile: t
                    caFile: ca.pem
                  - name: b
                    agent: https://b:7000
                    tokenFile: t
                    clientCertFile: c.crt
                    labels: {role: [web], "bad label": x}
                  - {name: c, agent: "https://user@c:7000", tokenFile: t}
                """);

    assertThat(errors)
        .containsExactly(
            "controller.yaml:6:13: hosts[0].caFile: only for an https agent URL",
            "controller.yaml:10:21: hosts[1].clientCertFile: needs clientKeyFile too (mutual TLS"
                + " takes both)",
            "controller.yaml:11:20: hosts[1].labels.role: expected a string, got a list",
            "controller.yaml:11:27: hosts[1].labels.bad label: expected a label name of letters,"
                + " digits, '_', '.' and '-', got \"bad label\"",
            "controller.yaml:12:22: hosts[2].agent: expected an http(s) URL without user"
                + " information, got \"https://user@c:7000\"");
  }

  @Test
  void imagesChecks() {
    assertThat(
            errors(
                API
                    + "images: {distribution: registry, listen: '0.0.0.0:7701', registry:"
                    + " 'Bad Registry'}"))
        .containsExactly(
            "controller.yaml:2:42: images.listen: only with distribution: embedded",
            "controller.yaml:2:68: images.registry: expected host[:port]/prefix such as"
                + " registry.example:5000/stamp, got \"Bad Registry\"");
    assertThat(errors(API + "images: {distribution: registry}"))
        .containsExactly(
            "controller.yaml:2:9: images.registry: required with distribution: registry"
                + " (host[:port]/prefix, such as 127.0.0.1:5000/stamp)");
    assertThat(errors(API + "images: {listen: '0.0.0.0:7701', registry: r:5000}"))
        .containsExactly(
            "controller.yaml:2:9: images.pullPasswordFile: required: the password agents present"
                + " (user stamp) when images are served beyond loopback (0.0.0.0:7701)",
            "controller.yaml:2:44: images.registry: only with distribution: registry");
    assertThat(errors(API + "images: {distribution: docker, advertise: 'h:0'}"))
        .containsExactly(
            "controller.yaml:2:24: images.distribution: expected one of embedded, registry, got"
                + " \"docker\"");
  }

  @Test
  void registryAuthIsADockerConfigWithCredentialsForTheRegistry(@TempDir Path dir)
      throws Exception {
    String images = "images: {distribution: registry, registry: '127.0.0.1:5000/stamp',";
    assertThat(errors(API + images + " registryAuth: auth.json}", dir))
        .containsExactly(
            "controller.yaml:2:82: images.registryAuth: reading secret file "
                + dir.resolve("auth.json")
                + ": no such file; create it (mode 600) or fix the path");
    SecretFileTest.write(dir.resolve("auth.json"), "{\"auths\": {\n  \"x\": oops}}", "rw-------");
    assertThat(errors(API + images + " registryAuth: auth.json}", dir))
        .singleElement()
        .asString()
        .startsWith(
            "controller.yaml:2:82: images.registryAuth: docker config "
                + dir.resolve("auth.json")
                + ":2:13: not valid JSON");
    SecretFileTest.write(
        dir.resolve("auth.json"),
        "{\"auths\": {\"other:5000\": {\"auth\": \"dTpw\"}}}",
        "rw-------");
    assertThat(errors(API + images + " registryAuth: auth.json}", dir))
        .singleElement()
        .asString()
        .contains(dir.resolve("auth.json") + ": no credentials for 127.0.0.1:5000 under \"auths\"");
    SecretFileTest.write(
        dir.resolve("auth.json"),
        "{\"auths\": {\"127.0.0.1:5000\": {\"auth\": \"dTpw\"}}}",
        "rw-------");
    ImagesConfig ok =
        ControllerConfig.parse(
                "controller.yaml", API + images + " registryAuth: auth.json, gcInterval: 10m}", dir)
            .images();
    assertThat(ok.registryAuth().path()).isEqualTo(dir.resolve("auth.json"));
    assertThat(ok.gcInterval()).isEqualTo(Duration.ofMinutes(10));
    assertThat(parse(API).images().gcInterval()).isEqualTo(Duration.ofHours(1));
    assertThat(errors(API + "images: {registryAuth: a.json, gcInterval: 0s}"))
        .containsExactly(
            "controller.yaml:2:24: images.registryAuth: only with distribution: registry",
            "controller.yaml:2:44: images.gcInterval: expected at least 1s, got PT0S");
  }

  @Test
  void embeddedImagesAdvertiseTheListenAddressUnlessTold() throws Exception {
    ImagesConfig i = parse(API + "images: {listen: '127.0.0.1:0'}").images();
    assertThat(i.advertise()).isEqualTo(new HostPort("127.0.0.1", 0));
    i =
        parse(
                API
                    + "images: {listen: '0.0.0.0:7701', advertise: '10.0.0.2:7701', pullPasswordFile: p}")
            .images();
    assertThat(i.listen()).isEqualTo(new HostPort("0.0.0.0", 7701));
    assertThat(i.advertise()).isEqualTo(new HostPort("10.0.0.2", 7701));
    assertThat(i.pullPasswordFile().path()).isEqualTo(Path.of("/etc/stamp/p"));
  }

  @Test
  void remoteAgentsWithALoopbackImageEndpointIsAWarning() throws Exception {
    ControllerConfig c =
        parse(API + "hosts: [{name: web-1, agent: 'https://10.0.0.5:7000', tokenFile: t}]\n");
    assertThat(c.warnings())
        .extracting(Object::toString)
        .containsExactly(
            "controller.yaml: warning: images.advertise: agents on other machines (web-1) cannot"
                + " pull from 127.0.0.1:7701; set images.listen and images.advertise to an"
                + " address they reach");
  }

  @Test
  void aRepositoryNeitherPolledNorHookedIsAWarning() throws Exception {
    ControllerConfig c = parse(API + "repositories: [{name: r, url: /r.git, poll: off}]\n");
    assertThat(c.repositories().get(0).polls()).isFalse();
    assertThat(c.warnings())
        .extracting(Object::toString)
        .containsExactly(
            "controller.yaml:2:45: warning: repositories[0].poll: poll: off and no webhook: the"
                + " repository is only fetched on stamp sync");
  }

  @Test
  void plainHttpNotificationsBeyondLoopbackAreAWarning() throws Exception {
    ControllerConfig c = parse(API + "notifications: [{url: 'http://hooks.internal/stamp'}]\n");
    assertThat(c.notifications()).hasSize(1);
    assertThat(c.warnings())
        .extracting(Object::toString)
        .containsExactly(
            "controller.yaml:2:23: warning: notifications[0].url: plain http: events cross the"
                + " network unencrypted");
  }

  @Test
  void relativePathsResolveAgainstTheFilesDirectory(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("conf/controller.yaml");
    Files.createDirectories(file.getParent());
    Files.writeString(
        file,
        """
        stateRoot: ../state
        api: {tokenFile: secrets/api-token}
        policy: {file: ./policy/org.yaml}
        hosts: [{name: h, agent: "http://127.0.0.1:7000", tokenFile: /abs/h.token}]
        """);

    ControllerConfig c = ControllerConfig.load(file);

    assertThat(c.file()).isEqualTo(file);
    assertThat(c.stateRoot()).isEqualTo(dir.resolve("state"));
    assertThat(c.api().tokenFile().path()).isEqualTo(dir.resolve("conf/secrets/api-token"));
    assertThat(c.policy().file()).isEqualTo(dir.resolve("conf/policy/org.yaml"));
    assertThat(c.hosts().get(0).tokenFile().path()).isEqualTo(Path.of("/abs/h.token"));
  }

  @Test
  void aMissingFileIsBadInputNamingIt(@TempDir Path dir) {
    Path file = dir.resolve("nope.yaml");
    assertThatThrownBy(() -> ControllerConfig.load(file))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(StampException.Kind.BAD_INPUT);
              assertThat(e.getMessage()).isEqualTo(file + ": no such file");
            });
  }

  @Test
  void aFileThatIsNotYamlOrNotAMapping(@TempDir Path dir) throws Exception {
    assertThat(errors("api: {tokenFile: t\nhosts: [\n"))
        .singleElement()
        .asString()
        .startsWith("controller.yaml:2:6: not valid YAML at line 2, column 6:");
    assertThat(errors("- a\n- b\n"))
        .containsExactly(
            "controller.yaml:1:1: expected a mapping (the controller's configuration: api,"
                + " repositories, hosts, …), got a list");
    assertThat(errors("just text\n"))
        .containsExactly(
            "controller.yaml:1:1: expected a mapping (the controller's configuration: api,"
                + " repositories, hosts, …), got \"just text\"");
    assertThat(errors("# nothing\n"))
        .containsExactly(
            "controller.yaml: expected a mapping (the controller's configuration: api,"
                + " repositories, hosts, …), got an empty document");
    assertThat(errors("api: {tokenFile: a, tokenFile: b}\n"))
        .containsExactly(
            "controller.yaml:1:21: mapping key \"tokenFile\" already defined at line 1");

    Path binary = dir.resolve("controller.yaml");
    Files.write(binary, new byte[] {(byte) 0xff, (byte) 0xfe, 0x00});
    assertThatThrownBy(() -> ControllerConfig.load(binary))
        .isInstanceOf(ConfigException.class)
        .hasMessage(binary + ": not UTF-8 text");
  }

  @Test
  void aConfigWithoutRepositoriesIsValid() throws Exception {
    ControllerConfig c =
        parse(
            API
                + "repositories: []\nhosts: [{name: local, agent: 'http://localhost:7000', tokenFile: t}]\n");
    assertThat(c.repositories()).isEmpty();
    assertThat(c.hosts()).hasSize(1);
  }

  @Test
  void embeddedDefaultIsOneMachineOnLoopback(@TempDir Path root) {
    ControllerConfig c =
        ControllerConfig.embeddedDefault(
            root, URI.create("http://127.0.0.1:7000"), root.resolve("agent/token"));

    assertThat(c.file()).isNull();
    assertThat(c.stateRoot()).isEqualTo(root);
    assertThat(c.api().listen().isLoopback()).isTrue();
    assertThat(c.api().tokenFile().path()).isEqualTo(root.resolve("controller/api-token"));
    assertThat(c.hosts())
        .containsExactly(
            HostConfig.of(
                "local",
                URI.create("http://127.0.0.1:7000"),
                new SecretFile(root.resolve("agent/token")),
                Map.of()));
    assertThat(c.images().distribution()).isEqualTo(ImagesConfig.Distribution.EMBEDDED);
    assertThat(c.images().listen().isLoopback()).isTrue();
    assertThat(c.repositories()).isEmpty();
    assertThat(c.warnings()).isEmpty();
  }

  @Test
  void secretFilesAreListedAndCheckedTogether(@TempDir Path dir) throws Exception {
    ControllerConfig c =
        ControllerConfig.parse(
            "controller.yaml",
            API
                + "hosts: [{name: h, agent: 'http://127.0.0.1:1', tokenFile: secrets/api-token}]\n"
                + "repositories: [{name: r, url: /r.git, webhook: {secretFile: hook}}]\n",
            dir);
    assertThat(c.secretFiles())
        .containsExactly(
            new SecretFile(dir.resolve("secrets/api-token")), new SecretFile(dir.resolve("hook")));

    assertThatThrownBy(c::checkSecrets)
        .isInstanceOfSatisfying(
            ControllerException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(StampException.Kind.BAD_INPUT);
              assertThat(e.getMessage())
                  .contains(dir.resolve("secrets/api-token") + ": no such file")
                  .contains(dir.resolve("hook") + ": no such file");
            });

    SecretFileTest.write(dir.resolve("secrets/api-token"), "token\n", "rw-------");
    SecretFileTest.write(dir.resolve("hook"), "hook\n", "r--------");
    c.checkSecrets();
  }

  @Test
  void theSampleLoadsCleanly() throws Exception {
    Path p = Path.of("").toAbsolutePath();
    while (!Files.isRegularFile(p.resolve("samples/controller.yaml"))) {
      p = p.getParent();
    }
    Path sample = p.resolve("samples/controller.yaml");

    ControllerConfig c = ControllerConfig.load(sample);

    assertThat(c.warnings()).isEmpty();
    assertThat(c.repositories())
        .extracting(RepositoryConfig::name)
        .containsExactly("shop", "billing");
    assertThat(c.hosts()).extracting(HostConfig::name).containsExactly("web-1", "local");
    assertThat(c.repositories().get(0).syncWindows().get(0).timeZone()).isEqualTo(ZoneOffset.UTC);
    assertThat(c.api().tokenFile().path()).isEqualTo(p.resolve("samples/secrets/api-token"));
  }
}
