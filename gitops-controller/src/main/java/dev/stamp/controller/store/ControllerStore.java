package dev.stamp.controller.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import dev.stamp.controller.ControllerException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's durable state in one JDBC database (H2 file or PostgreSQL), behind a HikariCP
 * pool. Opening runs the Flyway migrations; every write is one transaction; a release's state
 * changes under a row lock ({@code SELECT ... FOR UPDATE}), so concurrent writers (threads, or
 * several controllers on one PostgreSQL) never lose a transition. Nothing secret is stored. Methods
 * throw {@link ControllerException}: NOT_FOUND for an unknown release, CONFLICT for a transition
 * {@link ReleaseState} forbids, BAD_INPUT for bad arguments, FAILED (retryable when the database
 * was unreachable or busy) otherwise.
 */
public final class ControllerStore implements AutoCloseable {

  /** How many releases per app {@link #prune} keeps unless told otherwise. */
  public static final int DEFAULT_KEEP = 20;

  private static final Logger LOG = LoggerFactory.getLogger(ControllerStore.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<List<HostResult>> HOSTS = new TypeReference<>() {};
  private static final TypeReference<List<PolicyVerdict>> VERDICTS = new TypeReference<>() {};
  private static final int POOL_SIZE = 16;
  private static final String RELEASE_COLUMNS =
      "id, app, git_commit, short_commit, author, message, committed_at, release_trigger, state,"
          + " hosts_json, verdicts_json, error, started_at, updated_at";

  private final DatabaseSettings settings;
  private final HikariDataSource pool;
  private final Transactions tx;
  private final Clock clock;

  private ControllerStore(DatabaseSettings settings, HikariDataSource pool, Clock clock) {
    this.settings = settings;
    this.pool = pool;
    this.tx = new Transactions(pool, settings.redactedUrl());
    this.clock = clock;
  }

  /**
   * Connects, migrates the schema to this version's, and returns the store. Fails with a retryable
   * error when the database cannot be reached (or, for H2, is open in another process), and with a
   * non-retryable one when its schema is newer than this code knows.
   */
  public static ControllerStore open(DatabaseSettings settings) throws ControllerException {
    return open(settings, Clock.systemUTC());
  }

  /** {@link #open(DatabaseSettings)} with the clock that stamps {@code startedAt}/events. */
  public static ControllerStore open(DatabaseSettings settings, Clock clock)
      throws ControllerException {
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(clock, "clock");
    HikariDataSource pool = pool(settings);
    try {
      String version = Migrations.migrate(pool, settings);
      LOG.info("controller store {} ready at schema version {}", settings.redactedUrl(), version);
      return new ControllerStore(settings, pool, clock);
    } catch (ControllerException | RuntimeException e) {
      pool.close();
      throw e;
    }
  }

  /** The default store: an H2 file database in {@code stateRoot/controller/db}. */
  public static ControllerStore h2(Path stateRoot) throws ControllerException {
    Path dir = DatabaseSettings.h2Directory(stateRoot);
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw ControllerException.failed("create the controller database directory " + dir, e);
    }
    return open(DatabaseSettings.h2(stateRoot));
  }

  private static HikariDataSource pool(DatabaseSettings settings) throws ControllerException {
    HikariConfig config = new HikariConfig();
    config.setPoolName("stamp-store");
    config.setJdbcUrl(settings.jdbcUrl());
    settings.user().ifPresent(config::setUsername);
    if (settings.passwordFile().isPresent()) {
      config.setPassword(readPassword(settings.passwordFile().get()));
    }
    config.setMaximumPoolSize(POOL_SIZE);
    config.setMinimumIdle(1);
    config.setConnectionTimeout(Duration.ofSeconds(10).toMillis());
    if (settings.vendor() == DatabaseSettings.Vendor.POSTGRESQL) {
      config.addDataSourceProperty("ApplicationName", "stamp-controller");
      config.addDataSourceProperty("connectTimeout", "10");
    }
    try {
      return new HikariDataSource(config);
    } catch (HikariPool.PoolInitializationException e) {
      SQLException cause = Sql.sqlCause(e);
      String what = "open the controller database";
      if (cause != null) {
        throw Sql.error(what, settings.redactedUrl(), cause);
      }
      throw ControllerException.unavailable(
          what + " " + settings.redactedUrl() + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw ControllerException.failed(
          "open the controller database " + settings.redactedUrl() + ": " + e.getMessage(), e);
    }
  }

  private static String readPassword(Path file) throws ControllerException {
    try {
      String text = Files.readString(file);
      int end = text.length();
      while (end > 0 && (text.charAt(end - 1) == '\n' || text.charAt(end - 1) == '\r')) {
        end--;
      }
      return text.substring(0, end);
    } catch (IOException e) {
      throw new ControllerException(
          ControllerException.Kind.BAD_INPUT,
          "read the database password file " + file + ": " + e,
          e,
          false);
    }
  }

  /** The pooled connections, for Quartz's JDBC job store ({@link QuartzJobStore}). */
  public DataSource dataSource() {
    return pool;
  }

  public DatabaseSettings settings() {
    return settings;
  }

  // ---------------------------------------------------------------- the build-key catalogue

  /** The image built for {@code buildKey}, if one was recorded and not garbage-collected. */
  public Optional<BuiltImage> build(String buildKey) throws ControllerException {
    Objects.requireNonNull(buildKey, "buildKey");
    return tx.run(
        "look up build key " + buildKey,
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement("SELECT * FROM stamp_builds WHERE build_key = ?")) {
            ps.setString(1, buildKey);
            List<BuiltImage> found = builds(ps);
            return found.stream().findFirst();
          }
        });
  }

  /** Records {@code b}, replacing an earlier image recorded for the same build key. */
  public void recordBuild(BuiltImage b) throws ControllerException {
    Objects.requireNonNull(b, "build");
    tx.run(
        "record build " + b.buildKey() + " (" + b.app() + "/" + b.service() + ")",
        c -> {
          try (PreparedStatement del =
              c.prepareStatement("DELETE FROM stamp_builds WHERE build_key = ?")) {
            del.setString(1, b.buildKey());
            del.executeUpdate();
          }
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO stamp_builds (build_key, app, service, image_ref, digest,"
                      + " git_commit, built_at, took_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, b.buildKey());
            ps.setString(2, b.app());
            ps.setString(3, b.service());
            ps.setString(4, b.imageRef());
            ps.setString(5, b.digest());
            ps.setString(6, b.commit());
            ps.setObject(7, time(b.builtAt()));
            ps.setLong(8, b.took().toMillis());
            ps.executeUpdate();
          }
          return null;
        });
  }

  private static List<BuiltImage> builds(PreparedStatement ps) throws SQLException {
    List<BuiltImage> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(
            new BuiltImage(
                rs.getString("build_key"),
                rs.getString("app"),
                rs.getString("service"),
                rs.getString("image_ref"),
                rs.getString("digest"),
                rs.getString("git_commit"),
                instant(rs, "built_at"),
                Duration.ofMillis(rs.getLong("took_ms"))));
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- releases

  /** Records a new release in state {@link ReleaseState#PENDING} and returns its id. */
  public long startRelease(NewRelease r) throws ControllerException {
    Objects.requireNonNull(r, "release");
    Instant now = now();
    return tx.run(
        "start a release of " + r.app() + " at " + r.shortCommit(),
        c -> {
          long id;
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO stamp_releases (app, git_commit, short_commit, author, message,"
                      + " committed_at, release_trigger, state, hosts_json, verdicts_json,"
                      + " started_at, updated_at, version)"
                      + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, '[]', '[]', ?, ?, 0)",
                  Statement.RETURN_GENERATED_KEYS)) {
            ps.setString(1, r.app());
            ps.setString(2, r.commit());
            ps.setString(3, r.shortCommit());
            ps.setString(4, r.author());
            ps.setString(5, r.message());
            ps.setObject(6, time(r.committedAt()));
            ps.setString(7, r.trigger());
            ps.setString(8, ReleaseState.PENDING.name());
            ps.setObject(9, time(now));
            ps.setObject(10, time(now));
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
              if (!keys.next()) {
                throw new SQLException("the database returned no id for the new release");
              }
              id = keys.getLong("id");
            }
          }
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO stamp_release_images (release_id, service, digest)"
                      + " VALUES (?, ?, ?)")) {
            for (Map.Entry<String, String> e : r.digests().entrySet()) {
              ps.setLong(1, id);
              ps.setString(2, e.getKey());
              ps.setString(3, e.getValue());
              ps.addBatch();
            }
            if (!r.digests().isEmpty()) {
              ps.executeBatch();
            }
          }
          return id;
        });
  }

  /**
   * Moves release {@code id} to {@code state} (CONFLICT naming both states when {@link
   * ReleaseState#canMoveTo} forbids it), records {@code hosts} (each replacing an earlier result
   * for the same host and service; others are kept, so parallel rollouts can report their own
   * hosts), and sets the error when {@code error} is not null (null keeps the earlier one).
   */
  public void updateRelease(long id, ReleaseState state, List<HostResult> hosts, String error)
      throws ControllerException {
    Objects.requireNonNull(state, "state");
    List<HostResult> reported = List.copyOf(hosts);
    tx.run(
        "update release " + id + " to " + state,
        c -> {
          Locked locked = lock(c, id, "update release " + id + " to " + state);
          if (!locked.state().canMoveTo(state)) {
            throw ControllerException.conflict(
                "update release "
                    + id
                    + ": cannot move from "
                    + locked.state()
                    + " to "
                    + state
                    + (locked.state().next().isEmpty()
                        ? " (" + locked.state() + " is final)"
                        : " (from " + locked.state() + " only to " + locked.state().next() + ")"));
          }
          Map<String, HostResult> merged = new LinkedHashMap<>();
          for (HostResult h : fromJson(locked.hostsJson(), HOSTS)) {
            merged.put(h.host() + "\0" + h.service(), h);
          }
          for (HostResult h : reported) {
            merged.put(h.host() + "\0" + h.service(), h);
          }
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE stamp_releases SET state = ?, hosts_json = ?,"
                      + " error = COALESCE(?, error), updated_at = ?, version = version + 1"
                      + " WHERE id = ?")) {
            ps.setString(1, state.name());
            ps.setString(2, toJson(new ArrayList<>(merged.values())));
            if (error == null) {
              ps.setNull(3, Types.VARCHAR);
            } else {
              ps.setString(3, error);
            }
            ps.setObject(4, time(now()));
            ps.setLong(5, id);
            ps.executeUpdate();
          }
          return null;
        });
  }

  /** Replaces the policy verdicts of release {@code id}. */
  public void recordPolicy(long id, List<PolicyVerdict> verdicts) throws ControllerException {
    List<PolicyVerdict> copy = List.copyOf(verdicts);
    tx.run(
        "record policy verdicts of release " + id,
        c -> {
          lock(c, id, "record policy verdicts of release " + id);
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE stamp_releases SET verdicts_json = ?, updated_at = ?,"
                      + " version = version + 1 WHERE id = ?")) {
            ps.setString(1, toJson(copy));
            ps.setObject(2, time(now()));
            ps.setLong(3, id);
            ps.executeUpdate();
          }
          return null;
        });
  }

  /**
   * Records the images of release {@code id} (a release accepted before its images were known: a
   * sync asked for through the API), replacing any recorded before; only while it is PENDING.
   */
  public void recordDigests(long id, Map<String, String> digests) throws ControllerException {
    NewRelease.checkDigests(digests);
    Map<String, String> copy = Map.copyOf(digests);
    tx.run(
        "record the images of release " + id,
        c -> {
          Locked locked = lock(c, id, "record the images of release " + id);
          if (locked.state() != ReleaseState.PENDING) {
            throw ControllerException.conflict(
                "record the images of release "
                    + id
                    + ": it is "
                    + locked.state()
                    + ", images are recorded only while PENDING");
          }
          try (PreparedStatement ps =
              c.prepareStatement("DELETE FROM stamp_release_images WHERE release_id = ?")) {
            ps.setLong(1, id);
            ps.executeUpdate();
          }
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO stamp_release_images (release_id, service, digest)"
                      + " VALUES (?, ?, ?)")) {
            for (Map.Entry<String, String> e : copy.entrySet()) {
              ps.setLong(1, id);
              ps.setString(2, e.getKey());
              ps.setString(3, e.getValue());
              ps.addBatch();
            }
            if (!copy.isEmpty()) {
              ps.executeBatch();
            }
          }
          return null;
        });
  }

  private record Locked(ReleaseState state, String hostsJson) {}

  private static Locked lock(Connection c, long id, String what)
      throws SQLException, ControllerException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT state, hosts_json FROM stamp_releases WHERE id = ? FOR UPDATE")) {
      ps.setLong(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw ControllerException.notFound(what + ": no release " + id);
        }
        return new Locked(ReleaseState.valueOf(rs.getString(1)), rs.getString(2));
      }
    }
  }

  public Optional<Release> release(long id) throws ControllerException {
    return tx.run(
        "read release " + id, c -> releases(c, "WHERE id = ?", List.of(id)).stream().findFirst());
  }

  /** The newest {@code max} releases of {@code app}, newest first. */
  public List<Release> history(String app, int max) throws ControllerException {
    Objects.requireNonNull(app, "app");
    requirePositive(max, "history of " + app + ": max");
    return tx.run(
        "read the release history of " + app,
        c -> releases(c, "WHERE app = ? ORDER BY id DESC LIMIT ?", List.of(app, max)));
  }

  /**
   * Marks every release still {@code PENDING} or {@code DEPLOYING} as {@code FAILED} with {@code
   * error}, and returns them as they were: on a controller's start, such releases belong to a
   * process that died (a live rollout would have finished them), so nothing will ever finish them.
   */
  public List<Release> failUnfinished(String error) throws ControllerException {
    Values.requireText(error, "error", 100_000);
    List<Release> unfinished =
        tx.run(
            "find unfinished releases",
            c ->
                releases(
                    c,
                    "WHERE state IN (?, ?) ORDER BY id",
                    List.of(ReleaseState.PENDING.name(), ReleaseState.DEPLOYING.name())));
    for (Release r : unfinished) {
      updateRelease(r.id(), ReleaseState.FAILED, List.of(), error);
    }
    return unfinished;
  }

  /** The newest release of {@code app} that {@link ReleaseState#SUCCEEDED}. */
  public Optional<Release> lastGood(String app) throws ControllerException {
    Objects.requireNonNull(app, "app");
    return tx.run(
        "find the last good release of " + app,
        c ->
            releases(
                    c,
                    "WHERE app = ? AND state = ? ORDER BY id DESC LIMIT 1",
                    List.of(app, ReleaseState.SUCCEEDED.name()))
                .stream()
                .findFirst());
  }

  /** The newest release of {@code app} at {@code commit} (full id). */
  public Optional<Release> releaseOfCommit(String app, String commit) throws ControllerException {
    Objects.requireNonNull(app, "app");
    Objects.requireNonNull(commit, "commit");
    return tx.run(
        "find the release of " + app + " at " + commit,
        c ->
            releases(
                    c,
                    "WHERE app = ? AND git_commit = ? ORDER BY id DESC LIMIT 1",
                    List.of(app, commit))
                .stream()
                .findFirst());
  }

  private static List<Release> releases(Connection c, String where, List<Object> params)
      throws SQLException {
    List<Release> rows = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement("SELECT " + RELEASE_COLUMNS + " FROM stamp_releases " + where)) {
      bind(ps, params);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(
              new Release(
                  rs.getLong("id"),
                  rs.getString("app"),
                  rs.getString("git_commit"),
                  rs.getString("short_commit"),
                  rs.getString("author"),
                  rs.getString("message"),
                  instant(rs, "committed_at"),
                  Map.of(),
                  rs.getString("release_trigger"),
                  ReleaseState.valueOf(rs.getString("state")),
                  fromJson(rs.getString("hosts_json"), HOSTS),
                  fromJson(rs.getString("verdicts_json"), VERDICTS),
                  Optional.ofNullable(rs.getString("error")),
                  instant(rs, "started_at"),
                  instant(rs, "updated_at")));
        }
      }
    }
    if (rows.isEmpty()) {
      return rows;
    }
    Map<Long, Map<String, String>> digests = new HashMap<>();
    String ids = rows.stream().map(r -> "?").collect(Collectors.joining(", "));
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT release_id, service, digest FROM stamp_release_images"
                + " WHERE release_id IN ("
                + ids
                + ")")) {
      bind(ps, rows.stream().map(r -> (Object) r.id()).toList());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          digests
              .computeIfAbsent(rs.getLong(1), k -> new TreeMap<>())
              .put(rs.getString(2), rs.getString(3));
        }
      }
    }
    List<Release> out = new ArrayList<>(rows.size());
    for (Release r : rows) {
      out.add(
          new Release(
              r.id(),
              r.app(),
              r.commit(),
              r.shortCommit(),
              r.author(),
              r.message(),
              r.committedAt(),
              digests.getOrDefault(r.id(), Map.of()),
              r.trigger(),
              r.state(),
              r.hosts(),
              r.verdicts(),
              r.error(),
              r.startedAt(),
              r.updatedAt()));
    }
    return out;
  }

  // ---------------------------------------------------------------- app status

  public Optional<AppStatus> appStatus(String app) throws ControllerException {
    Objects.requireNonNull(app, "app");
    return tx.run(
        "read the status of " + app,
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement("SELECT * FROM stamp_apps WHERE app = ?")) {
            ps.setString(1, app);
            return apps(ps).stream().findFirst();
          }
        });
  }

  /** Every app's status row, by name. */
  public List<AppStatus> apps() throws ControllerException {
    return tx.run(
        "list apps",
        c -> {
          try (PreparedStatement ps = c.prepareStatement("SELECT * FROM stamp_apps ORDER BY app")) {
            return apps(ps);
          }
        });
  }

  /** Writes {@code s} as the status row of its app (created on first write). */
  public void updateApp(AppStatus s) throws ControllerException {
    Objects.requireNonNull(s, "status");
    tx.run(
        "update the status of " + s.app(),
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE stamp_apps SET repo = ?, path = ?, last_fetched_commit = ?,"
                      + " desired_commit = ?, current_release_id = ?, state = ?, message = ?,"
                      + " failed_commit = ?, updated_at = ? WHERE app = ?")) {
            bindApp(ps, s);
            ps.setString(10, s.app());
            if (ps.executeUpdate() == 1) {
              return null;
            }
          }
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO stamp_apps (repo, path, last_fetched_commit, desired_commit,"
                      + " current_release_id, state, message, failed_commit, updated_at, app)"
                      + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            bindApp(ps, s);
            ps.setString(10, s.app());
            ps.executeUpdate();
          }
          return null;
        });
  }

  private static void bindApp(PreparedStatement ps, AppStatus s) throws SQLException {
    ps.setString(1, s.repo());
    ps.setString(2, s.path());
    ps.setString(3, s.lastFetchedCommit().orElse(null));
    ps.setString(4, s.desiredCommit().orElse(null));
    if (s.currentReleaseId().isPresent()) {
      ps.setLong(5, s.currentReleaseId().get());
    } else {
      ps.setNull(5, Types.BIGINT);
    }
    ps.setString(6, s.state().name());
    ps.setString(7, s.message());
    ps.setString(8, s.failedCommit().orElse(null));
    ps.setObject(9, time(s.updatedAt()));
  }

  private static List<AppStatus> apps(PreparedStatement ps) throws SQLException {
    List<AppStatus> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        long release = rs.getLong("current_release_id");
        Optional<Long> current = rs.wasNull() ? Optional.empty() : Optional.of(release);
        out.add(
            new AppStatus(
                rs.getString("app"),
                rs.getString("repo"),
                rs.getString("path"),
                Optional.ofNullable(rs.getString("last_fetched_commit")),
                Optional.ofNullable(rs.getString("desired_commit")),
                current,
                AppState.valueOf(rs.getString("state")),
                rs.getString("message"),
                Optional.ofNullable(rs.getString("failed_commit")),
                instant(rs, "updated_at")));
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- retention

  /** {@link #prune(String, int)} keeping {@link #DEFAULT_KEEP} releases. */
  public List<BuiltImage> prune(String app) throws ControllerException {
    return prune(app, DEFAULT_KEEP);
  }

  /**
   * Deletes the releases of {@code app} beyond the newest {@code keep} (with their events), always
   * keeping the app's current release, its last good one (the rollback target) and any still
   * running. Then deletes from the build catalogue, and returns, the builds whose image a deleted
   * release used and no remaining release of any app uses: the images the caller may now remove. A
   * release started between this and the image's removal could still name one of them (a revert
   * that looked its build up just before): run prune and image GC where the app's syncs run, one at
   * a time per app.
   */
  public List<BuiltImage> prune(String app, int keep) throws ControllerException {
    Objects.requireNonNull(app, "app");
    requirePositive(keep, "prune releases of " + app + ": keep");
    return tx.run(
        "prune releases of " + app + " to the newest " + keep,
        c -> {
          Set<Long> kept = keptReleases(c, app, keep);
          String notKept =
              kept.isEmpty()
                  ? ""
                  : " AND id NOT IN ("
                      + kept.stream().map(k -> "?").collect(Collectors.joining(", "))
                      + ")";
          List<Object> params = new ArrayList<>();
          params.add(app);
          params.addAll(kept);
          List<Long> doomed = new ArrayList<>();
          try (PreparedStatement ps =
              c.prepareStatement("SELECT id FROM stamp_releases WHERE app = ?" + notKept)) {
            bind(ps, params);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                doomed.add(rs.getLong(1));
              }
            }
          }
          if (doomed.isEmpty()) {
            return List.of();
          }
          Set<String> digests = new LinkedHashSet<>();
          String doomedIds = "SELECT id FROM stamp_releases WHERE app = ?" + notKept;
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT DISTINCT digest FROM stamp_release_images WHERE release_id IN ("
                      + doomedIds
                      + ")")) {
            bind(ps, params);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                digests.add(rs.getString(1));
              }
            }
          }
          deleteAppEventsBefore(c, app, kept);
          try (PreparedStatement ps =
              c.prepareStatement(
                  "DELETE FROM stamp_events WHERE release_id IN (" + doomedIds + ")")) {
            bind(ps, params);
            ps.executeUpdate();
          }
          try (PreparedStatement ps =
              c.prepareStatement(
                  "DELETE FROM stamp_release_images WHERE release_id IN (" + doomedIds + ")")) {
            bind(ps, params);
            ps.executeUpdate();
          }
          try (PreparedStatement ps =
              c.prepareStatement("DELETE FROM stamp_releases WHERE app = ?" + notKept)) {
            bind(ps, params);
            ps.executeUpdate();
          }
          return unusedBuilds(c, digests);
        });
  }

  private static Set<Long> keptReleases(Connection c, String app, int keep) throws SQLException {
    Set<Long> kept = new LinkedHashSet<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT id FROM stamp_releases WHERE app = ? ORDER BY id DESC LIMIT ?")) {
      bind(ps, List.of(app, keep));
      collectIds(ps, kept);
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT id FROM stamp_releases WHERE app = ? AND state = ? ORDER BY id DESC LIMIT 1")) {
      bind(ps, List.of(app, ReleaseState.SUCCEEDED.name()));
      collectIds(ps, kept);
    }
    try (PreparedStatement ps =
        c.prepareStatement("SELECT id FROM stamp_releases WHERE app = ? AND state IN (?, ?)")) {
      bind(ps, List.of(app, ReleaseState.PENDING.name(), ReleaseState.DEPLOYING.name()));
      collectIds(ps, kept);
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT current_release_id FROM stamp_apps WHERE app = ?"
                + " AND current_release_id IS NOT NULL")) {
      bind(ps, List.of(app));
      collectIds(ps, kept);
    }
    return kept;
  }

  private static void collectIds(PreparedStatement ps, Set<Long> into) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        into.add(rs.getLong(1));
      }
    }
  }

  /** App-level events (no release) older than the first event of any kept release go too. */
  private static void deleteAppEventsBefore(Connection c, String app, Set<Long> kept)
      throws SQLException {
    if (kept.isEmpty()) {
      return;
    }
    long first;
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT MIN(id) FROM stamp_events WHERE app = ? AND release_id IN ("
                + kept.stream().map(k -> "?").collect(Collectors.joining(", "))
                + ")")) {
      List<Object> params = new ArrayList<>();
      params.add(app);
      params.addAll(kept);
      bind(ps, params);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        first = rs.getLong(1);
        if (rs.wasNull()) {
          return;
        }
      }
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "DELETE FROM stamp_events WHERE app = ? AND release_id IS NULL AND id < ?")) {
      bind(ps, List.of(app, first));
      ps.executeUpdate();
    }
  }

  private static List<BuiltImage> unusedBuilds(Connection c, Set<String> digests)
      throws SQLException {
    List<BuiltImage> unused = new ArrayList<>();
    for (String digest : digests) {
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT * FROM stamp_builds b WHERE b.digest = ? AND NOT EXISTS"
                  + " (SELECT 1 FROM stamp_release_images i WHERE i.digest = b.digest)"
                  + " ORDER BY b.build_key")) {
        ps.setString(1, digest);
        unused.addAll(builds(ps));
      }
    }
    try (PreparedStatement ps =
        c.prepareStatement("DELETE FROM stamp_builds WHERE build_key = ?")) {
      for (BuiltImage b : unused) {
        ps.setString(1, b.buildKey());
        ps.addBatch();
      }
      if (!unused.isEmpty()) {
        ps.executeBatch();
      }
    }
    return Collections.unmodifiableList(unused);
  }

  // ---------------------------------------------------------------- image garbage collection

  /**
   * Every image digest a release of any app still names: the releases {@link #prune} kept, which
   * include the current, the last good and every pending or deploying one (a sync in flight).
   */
  public Set<String> releasedDigests() throws ControllerException {
    return tx.run(
        "list the image digests of kept releases",
        c -> Collections.unmodifiableSet(distinctDigests(c, "stamp_release_images")));
  }

  /**
   * Deletes from the build catalogue, and returns, the builds whose image no release names (in the
   * same transaction as the check, so a release recorded meanwhile keeps its build).
   */
  public List<BuiltImage> forgetUnreleasedBuilds() throws ControllerException {
    return tx.run(
        "forget builds no release names", c -> unusedBuilds(c, distinctDigests(c, "stamp_builds")));
  }

  /** The distinct values of {@code table}'s digest column. */
  private static Set<String> distinctDigests(Connection c, String table) throws SQLException {
    Set<String> out = new LinkedHashSet<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT digest FROM " + table);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- events

  /**
   * Appends an event to {@code app}'s stream and returns its id: 1 for an app's first event, then
   * one more each time, visible to readers in that order.
   */
  public long appendEvent(String app, Long releaseId, String type, String json)
      throws ControllerException {
    Objects.requireNonNull(json, "json");
    try {
      Values.requireText(app, "app", 200);
      Values.requireText(type, "type", 100);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw ControllerException.badInput("append an event: " + e.getMessage());
    }
    try {
      JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw ControllerException.badInput(
          "append a " + type + " event of " + app + ": not JSON: " + e.getOriginalMessage());
    }
    Instant now = now();
    return tx.run(
        "append a " + type + " event of " + app,
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE stamp_event_heads SET last_id = last_id + 1 WHERE app = ?")) {
            ps.setString(1, app);
            if (ps.executeUpdate() == 0) {
              try (PreparedStatement insert =
                  c.prepareStatement(
                      "INSERT INTO stamp_event_heads (app, last_id) VALUES (?, 1)")) {
                insert.setString(1, app);
                insert.executeUpdate();
              }
            }
          }
          long id;
          try (PreparedStatement ps =
              c.prepareStatement("SELECT last_id FROM stamp_event_heads WHERE app = ?")) {
            ps.setString(1, app);
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              id = rs.getLong(1);
            }
          }
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO stamp_events (app, id, release_id, event_type, payload, created_at)"
                      + " VALUES (?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, app);
            ps.setLong(2, id);
            if (releaseId == null) {
              ps.setNull(3, Types.BIGINT);
            } else {
              ps.setLong(3, releaseId);
            }
            ps.setString(4, type);
            ps.setString(5, json);
            ps.setObject(6, time(now));
            ps.executeUpdate();
          }
          return id;
        });
  }

  /** Up to {@code max} events of {@code app} with ids above {@code after}, oldest first. */
  public List<StoredEvent> events(String app, long after, int max) throws ControllerException {
    Objects.requireNonNull(app, "app");
    requirePositive(max, "read events of " + app + ": max");
    return tx.run(
        "read events of " + app + " after " + after,
        c -> {
          List<StoredEvent> out = new ArrayList<>();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT id, release_id, event_type, payload, created_at FROM stamp_events"
                      + " WHERE app = ? AND id > ? ORDER BY id LIMIT ?")) {
            bind(ps, List.of(app, after, max));
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                long release = rs.getLong(2);
                Optional<Long> releaseId = rs.wasNull() ? Optional.empty() : Optional.of(release);
                out.add(
                    new StoredEvent(
                        rs.getLong(1),
                        app,
                        releaseId,
                        rs.getString(3),
                        rs.getString(4),
                        instant(rs, "created_at")));
              }
            }
          }
          return out;
        });
  }

  /** Closes the pool (the H2 database closes with its last connection). */
  @Override
  public void close() {
    pool.close();
  }

  // ---------------------------------------------------------------- helpers

  private Instant now() {
    return Values.micros(clock.instant());
  }

  private static void requirePositive(int n, String what) throws ControllerException {
    if (n < 1) {
      throw ControllerException.badInput(what + " must be at least 1, got " + n);
    }
  }

  private static OffsetDateTime time(Instant t) {
    return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    return rs.getObject(column, OffsetDateTime.class).toInstant();
  }

  private static void bind(PreparedStatement ps, List<?> params) throws SQLException {
    for (int i = 0; i < params.size(); i++) {
      Object p = params.get(i);
      if (p instanceof Long l) {
        ps.setLong(i + 1, l);
      } else if (p instanceof Integer n) {
        ps.setInt(i + 1, n);
      } else {
        ps.setString(i + 1, (String) p);
      }
    }
  }

  private static String toJson(Object value) throws SQLException {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new SQLException("write JSON: " + e.getOriginalMessage(), e);
    }
  }

  private static <T> T fromJson(String json, TypeReference<T> type) throws SQLException {
    try {
      return JSON.readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new SQLException("read JSON column: " + e.getOriginalMessage(), e);
    }
  }
}
