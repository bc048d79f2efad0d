package dev.stamp.controller.config;

import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.TimeZone;
import org.quartz.CronExpression;

/**
 * A time window in which a repository's apps may ({@link Kind#ALLOW}) or may not ({@link
 * Kind#DENY}) be synced automatically: it opens at each fire time of a Quartz cron {@code schedule}
 * (seconds first: {@code "0 0 18 ? * FRI"}, read in {@code timeZone}) and stays open for {@code
 * duration}. {@code apps} are app names or globs ({@code *}, {@code web-*}); {@code manualSync}
 * lets a person's {@code stamp sync} through anyway.
 *
 * <p>How the windows of one repository combine is {@link RepositoryConfig#syncAllowed}.
 */
public record SyncWindow(
    Kind kind,
    String schedule,
    Duration duration,
    ZoneId timeZone,
    List<String> apps,
    boolean manualSync) {

  /** What an open window does. */
  public enum Kind {
    /** Automatic syncs only while one of the repository's allow windows is open. */
    ALLOW,
    /** No automatic sync while the window is open. */
    DENY
  }

  /**
   * @throws IllegalArgumentException for an invalid cron expression, a duration that is not
   *     positive, or no app pattern (the loader reports these with their line first)
   */
  public SyncWindow {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(timeZone, "timeZone");
    String problem = scheduleProblem(schedule);
    if (problem != null) {
      throw new IllegalArgumentException("sync window schedule: " + problem);
    }
    if (duration == null || duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException(
          "sync window duration: expected a positive duration, got " + duration);
    }
    apps = List.copyOf(apps);
    if (apps.isEmpty()) {
      throw new IllegalArgumentException("sync window apps: expected at least one app or \"*\"");
    }
  }

  /** Why {@code schedule} is no Quartz cron expression, or null when it is one. */
  static String scheduleProblem(String schedule) {
    if (schedule == null || schedule.isBlank()) {
      return "expected a Quartz cron expression such as \"0 0 18 ? * FRI\", got nothing";
    }
    try {
      CronExpression.validateExpression(schedule);
      return null;
    } catch (ParseException e) {
      return "expected a Quartz cron expression (seconds minutes hours day-of-month month"
          + " day-of-week [year], such as \"0 0 18 ? * FRI\"), got \""
          + schedule
          + "\": "
          + e.getMessage();
    }
  }

  /** Whether the window is open at {@code t}: some fire time {@code f} has {@code f <= t < f+d}. */
  public boolean isActive(Instant t) {
    return closesAt(t) != null;
  }

  /** When the window open at {@code t} closes ({@code f + d}), or null when it is not open. */
  public Instant closesAt(Instant t) {
    // The first fire time strictly after t - duration opens the only window that can cover t.
    Date after = Date.from(t.minus(duration));
    Date fire = cron().getNextValidTimeAfter(after);
    return fire != null && !fire.toInstant().isAfter(t) ? fire.toInstant().plus(duration) : null;
  }

  /** When the window next opens strictly after {@code t}, or null when the schedule has ended. */
  public Instant nextOpening(Instant t) {
    Date fire = cron().getNextValidTimeAfter(Date.from(t));
    return fire == null ? null : fire.toInstant();
  }

  /** Whether {@code app} matches one of {@link #apps()}. */
  public boolean appliesTo(String app) {
    return apps.stream().anyMatch(p -> glob(p, app));
  }

  /**
   * Whether this window alone keeps {@code app} from syncing automatically at {@code t}: a deny
   * window that is open, an allow window that is closed (each for apps it applies to).
   */
  public boolean denies(Instant t, String app) {
    if (!appliesTo(app)) {
      return false;
    }
    return kind == Kind.DENY ? isActive(t) : !isActive(t);
  }

  private CronExpression cron() {
    // CronExpression is mutable and not thread-safe: one per question.
    try {
      CronExpression c = new CronExpression(schedule);
      c.setTimeZone(TimeZone.getTimeZone(timeZone));
      return c;
    } catch (ParseException e) {
      throw new IllegalStateException("validated in the constructor", e);
    }
  }

  /** {@code *} any run of characters, {@code ?} one character, everything else literal. */
  static boolean glob(String pattern, String text) {
    StringBuilder re = new StringBuilder();
    for (char c : pattern.toCharArray()) {
      switch (c) {
        case '*' -> re.append(".*");
        case '?' -> re.append('.');
        default -> re.append(java.util.regex.Pattern.quote(String.valueOf(c)));
      }
    }
    return text.matches(re.toString());
  }
}
