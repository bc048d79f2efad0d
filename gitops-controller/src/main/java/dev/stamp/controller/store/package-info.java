/**
 * The controller's durable state in a JDBC database: the build-key catalogue, releases with their
 * per-host results and policy verdicts, one status row per app, and the events of rollouts. {@link
 * dev.stamp.controller.store.ControllerStore} opens an embedded H2 file database under the state
 * root by default, or PostgreSQL by configuration (several controllers can then share one
 * database); Flyway migrations under {@code db/migration} create the same schema on both, Quartz's
 * JDBC job store tables included. Depends only on the JDK, JDBC drivers, Flyway, HikariCP and
 * {@link dev.stamp.controller.ControllerException}.
 */
package dev.stamp.controller.store;
