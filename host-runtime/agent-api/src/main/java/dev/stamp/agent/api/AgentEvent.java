package dev.stamp.agent.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One state change on the agent, as {@code GET /v1/events} streams it (server-sent events, {@code
 * id} = {@code seq}): a spec accepted, a replace's phase, a health transition, a failure.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AgentEvent(
    long seq, String time, String service, String type, long generation, String message) {}
