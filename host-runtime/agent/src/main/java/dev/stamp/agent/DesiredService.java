package dev.stamp.agent;

import dev.stamp.agent.api.ServiceSpec;

/**
 * One service's desired state as the agent keeps it on disk ({@code ROOT/agent/desired/NAME.json}),
 * written before anything is done about it: the spec, its generation (one more for each change),
 * the digest of its canonical JSON (equal digests: nothing to do), and whether it is being deleted.
 */
public record DesiredService(
    String name,
    long generation,
    String specDigest,
    ServiceSpec spec,
    boolean deleted,
    String updatedAt) {}
