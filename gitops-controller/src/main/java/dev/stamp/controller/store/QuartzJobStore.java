package dev.stamp.controller.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;
import javax.sql.DataSource;
import org.quartz.impl.jdbcjobstore.JobStoreTX;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;

/**
 * Quartz's JDBC job store on the store's database: the tables come from the store's migrations,
 * connections from its pool. {@link #register} names the pool for Quartz and returns the {@code
 * org.quartz.jobStore.*} properties to merge into the scheduler's.
 *
 * <pre>{@code
 * Properties p = QuartzJobStore.register(store, "stamp");
 * p.setProperty("org.quartz.scheduler.instanceName", "stamp-controller");
 * p.setProperty("org.quartz.threadPool.threadCount", "4");
 * Scheduler s = new StdSchedulerFactory(p).getScheduler();
 * }</pre>
 */
public final class QuartzJobStore {

  private QuartzJobStore() {}

  /**
   * Registers the store's pool as Quartz data source {@code name} and returns the job store
   * properties: {@link JobStoreTX}, the delegate for the database ({@link
   * DatabaseSettings.Vendor#quartzDelegateClass()}), table prefix {@code QRTZ_}.
   */
  public static Properties register(ControllerStore store, String name) {
    DBConnectionManager.getInstance().addConnectionProvider(name, provider(store.dataSource()));
    Properties p = new Properties();
    p.setProperty("org.quartz.jobStore.class", JobStoreTX.class.getName());
    p.setProperty(
        "org.quartz.jobStore.driverDelegateClass", store.settings().vendor().quartzDelegateClass());
    p.setProperty("org.quartz.jobStore.dataSource", name);
    p.setProperty("org.quartz.jobStore.tablePrefix", "QRTZ_");
    return p;
  }

  /** Connections from {@code dataSource}; shutting Quartz down leaves the pool to its owner. */
  public static ConnectionProvider provider(DataSource dataSource) {
    return new ConnectionProvider() {
      @Override
      public Connection getConnection() throws SQLException {
        return dataSource.getConnection();
      }

      @Override
      public void shutdown() {
        // the ControllerStore owns and closes the pool
      }

      @Override
      public void initialize() {
        // nothing to set up
      }
    };
  }
}
