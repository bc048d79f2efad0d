package dev.stamp.runtime.network.lb;

import java.time.Duration;

/**
 * How a drain ended: {@code drained} when connection tracking showed no live flow from the
 * service's front to the backend any more, else the flows still open when the timeout passed.
 */
public record DrainResult(boolean drained, long remainingFlows, Duration waited) {}
