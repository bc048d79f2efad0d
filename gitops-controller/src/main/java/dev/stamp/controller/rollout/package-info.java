/**
 * Rollout: an app's desired services (images by digest) made true on the hosts through their
 * agents, by replacement only, in {@code depends_on} order and at {@code update_config}'s pace,
 * rolled back to the last good release when {@code failure_action: rollback} says so.
 *
 * <p>Public: the inputs ({@link dev.stamp.controller.rollout.DesiredApp}, {@link
 * dev.stamp.controller.rollout.DesiredService}, {@link dev.stamp.controller.rollout.UpdatePolicy}),
 * the hosts ({@link dev.stamp.controller.rollout.HostAgent}), where replicas go ({@link
 * dev.stamp.controller.rollout.Placement} → {@link dev.stamp.controller.rollout.PlacementPlan}),
 * what would change ({@link dev.stamp.controller.rollout.RolloutPlan}), the rollout itself ({@link
 * dev.stamp.controller.rollout.Rollout} → {@link dev.stamp.controller.rollout.RolloutResult}) and
 * what it reports while it runs ({@link dev.stamp.controller.rollout.RolloutListener}). {@link
 * dev.stamp.controller.rollout.AgentNames} is the one naming scheme of an app's services on an
 * agent ({@code APP.SERVICE}); {@link dev.stamp.controller.rollout.SpecDigest} is the agent's spec
 * digest computed here. Package-private steps, in the order an apply runs them: {@code
 * ServiceOrder} (topological order of {@code depends_on}), {@code Planner} (desired against what
 * the agents report), {@code RolloutRun} (services in order, hosts in batches, failure actions,
 * rollback, removal) over {@code HostWaits} (until a generation serves, until a service is gone)
 * and {@code AgentCalls} (bounded retries of agent calls with backoff).
 */
package dev.stamp.controller.rollout;
