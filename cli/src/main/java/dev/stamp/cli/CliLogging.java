package dev.stamp.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * The CLI's logging, set up in code (found by logback through {@code META-INF/services}): quiet by
 * default, users see one-line errors from the CLI, not logs; {@code --debug} lowers the level. A
 * logback.xml costs ~600 classes (Joran, a SAX parser) and ~100 ms of every command's start. {@code
 * -Dlogback.configurationFile=FILE} still configures logback from FILE.
 */
public final class CliLogging extends ContextAwareBase implements Configurator {

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (System.getProperty("logback.configurationFile") != null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern("%d{HH:mm:ss.SSS} %-5level %logger{24} - %msg%n");
    encoder.start();
    ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
    stderr.setContext(context);
    stderr.setName("STDERR");
    stderr.setTarget("System.err");
    stderr.setEncoder(encoder);
    stderr.start();
    ToCaller toCaller = new ToCaller(stderr, encoder);
    toCaller.setContext(context);
    toCaller.setName("STDERR-OR-CALLER");
    toCaller.start();
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.WARN);
    root.addAppender(toCaller);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /**
   * Standard error, except for the threads of a command an agent runs for a {@link HandOff} caller:
   * their lines go to the caller's standard error, as the command's own JVM would print them (a
   * pull's "mirror failed, trying the next source").
   */
  static final class ToCaller extends AppenderBase<ILoggingEvent> {
    private final ConsoleAppender<ILoggingEvent> stderr;
    private final PatternLayoutEncoder encoder;

    ToCaller(ConsoleAppender<ILoggingEvent> stderr, PatternLayoutEncoder encoder) {
      this.stderr = stderr;
      this.encoder = encoder;
    }

    @Override
    protected void append(ILoggingEvent event) {
      if (!HandOff.toCaller(() -> encoder.getLayout().doLayout(event))) {
        stderr.doAppend(event);
      }
    }
  }
}
