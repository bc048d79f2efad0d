/**
 * Health checks: {@link dev.stamp.runtime.health.HealthCheck}, the one value an image config, a
 * service and the health monitor share. Depends on nothing else of Stamp's.
 */
package dev.stamp.runtime.health;
