package dev.stamp.agent.api;

/**
 * The answer to a PUT of a service: the generation the spec now has and whether it changed (a PUT
 * of the spec already desired changes nothing and restarts nothing).
 */
public record PutResult(String name, long generation, boolean changed, String specDigest) {}
