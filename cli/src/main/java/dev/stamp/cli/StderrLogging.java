package dev.stamp.cli;

import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The SLF4J provider of short CLI commands without {@code --debug} (chosen by {@code StampCli.main}
 * through {@code slf4j.provider}): warnings and errors to stderr in the format of {@link
 * CliLogging}, nothing else, and none of logback's ~250 classes and ~50 ms of set-up.
 */
public final class StderrLogging implements SLF4JServiceProvider {

  private final ILoggerFactory loggers = StderrLogger::new;
  private final IMarkerFactory markers = new BasicMarkerFactory();
  private final MDCAdapter mdc = new NOPMDCAdapter();

  @Override
  public ILoggerFactory getLoggerFactory() {
    return loggers;
  }

  @Override
  public IMarkerFactory getMarkerFactory() {
    return markers;
  }

  @Override
  public MDCAdapter getMDCAdapter() {
    return mdc;
  }

  @Override
  public String getRequestedApiVersion() {
    return "2.0.99";
  }

  @Override
  public void initialize() {}

  private static final class StderrLogger extends LegacyAbstractLogger {
    private static final long serialVersionUID = 1L;

    StderrLogger(String name) {
      this.name = name;
    }

    @Override
    public boolean isTraceEnabled() {
      return false;
    }

    @Override
    public boolean isDebugEnabled() {
      return false;
    }

    @Override
    public boolean isInfoEnabled() {
      return false;
    }

    @Override
    public boolean isWarnEnabled() {
      return true;
    }

    @Override
    public boolean isErrorEnabled() {
      return true;
    }

    @Override
    protected String getFullyQualifiedCallerName() {
      return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(
        Level level, Marker marker, String pattern, Object[] args, Throwable thrown) {
      String message = MessageFormatter.basicArrayFormat(pattern, args);
      String time = LocalTime.now().truncatedTo(ChronoUnit.MILLIS).toString();
      String logger = name.substring(name.lastIndexOf('.') + 1);
      synchronized (System.err) {
        System.err.printf("%-12s %-5s %s - %s%n", time, level, logger, message);
        if (thrown != null) {
          thrown.printStackTrace();
        }
      }
    }
  }
}
