package dev.stamp.controller.server;

import dev.stamp.controller.ControllerException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Date;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobExecutionContext;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;

/**
 * The controller's Quartz scheduler, its jobs and triggers kept in the controller's database
 * (Quartz's JDBC job store over the store's data source, clustered so that several controllers
 * sharing one database run each job once). Jobs: one poll per repository (its interval, with the
 * configured jitter before each fetch), and garbage collection of images no kept release uses.
 */
final class Scheduling implements AutoCloseable {

  private static final String GROUP = "stamp";

  private final Scheduler scheduler;

  /** {@code onJob} receives the job's name ({@code poll:REPO}, {@code gc}) on a Quartz thread. */
  Scheduling(DataSource dataSource, boolean postgres, String instance, Consumer<String> onJob)
      throws ControllerException {
    String provider = "stamp-" + instance;
    DBConnectionManager.getInstance()
        .addConnectionProvider(
            provider,
            new ConnectionProvider() {
              @Override
              public Connection getConnection() throws SQLException {
                return dataSource.getConnection();
              }

              @Override
              public void shutdown() {}

              @Override
              public void initialize() {}
            });
    Properties p = new Properties();
    p.setProperty(StdSchedulerFactory.PROP_SCHED_INSTANCE_NAME, "stamp-controller-" + instance);
    p.setProperty(StdSchedulerFactory.PROP_SCHED_INSTANCE_ID, "AUTO");
    p.setProperty("org.quartz.threadPool.threadCount", "2");
    p.setProperty("org.quartz.threadPool.makeThreadsDaemons", "true");
    p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
    p.setProperty(
        "org.quartz.jobStore.driverDelegateClass",
        postgres
            ? "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate"
            : "org.quartz.impl.jdbcjobstore.StdJDBCDelegate");
    p.setProperty("org.quartz.jobStore.dataSource", provider);
    p.setProperty("org.quartz.jobStore.tablePrefix", "QRTZ_");
    p.setProperty("org.quartz.jobStore.isClustered", "true");
    p.setProperty("org.quartz.jobStore.misfireThreshold", "5000");
    try {
      StdSchedulerFactory factory = new StdSchedulerFactory();
      factory.initialize(p);
      scheduler = factory.getScheduler();
      scheduler.setJobFactory((bundle, s) -> new NamedJob(onJob));
      scheduler.start();
    } catch (SchedulerException e) {
      throw ControllerException.failed("start the Quartz scheduler: " + e.getMessage(), e);
    }
  }

  /** Runs job {@code name} every {@code interval} from now on (replacing an older schedule). */
  void every(String name, Duration interval) throws ControllerException {
    JobDetail job =
        JobBuilder.newJob(NamedJob.class).withIdentity(name, GROUP).storeDurably().build();
    long first =
        ThreadLocalRandom.current().nextLong(Math.max(1, Math.min(interval.toMillis(), 5000)));
    Trigger trigger =
        TriggerBuilder.newTrigger()
            .withIdentity(name, GROUP)
            .startAt(new Date(System.currentTimeMillis() + first))
            .withSchedule(
                SimpleScheduleBuilder.simpleSchedule()
                    .withIntervalInMilliseconds(interval.toMillis())
                    .repeatForever()
                    .withMisfireHandlingInstructionNextWithRemainingCount())
            .build();
    try {
      scheduler.scheduleJob(job, java.util.Set.of(trigger), true);
    } catch (SchedulerException e) {
      throw ControllerException.failed("schedule " + name + ": " + e.getMessage(), e);
    }
  }

  /** Removes a schedule (a repository no longer configured). */
  void cancel(String name) {
    try {
      scheduler.deleteJob(new JobKey(name, GROUP));
    } catch (SchedulerException e) {
      // nothing scheduled under that name
    }
  }

  @Override
  public void close() {
    try {
      scheduler.shutdown(true);
    } catch (SchedulerException e) {
      // already down
    }
  }

  /** A job that hands its name to the controller; one at a time per name. */
  @DisallowConcurrentExecution
  public static final class NamedJob implements Job {
    private final Consumer<String> onJob;

    public NamedJob() {
      this(name -> {});
    }

    NamedJob(Consumer<String> onJob) {
      this.onJob = onJob;
    }

    @Override
    public void execute(JobExecutionContext context) {
      onJob.accept(context.getJobDetail().getKey().getName());
    }
  }
}
