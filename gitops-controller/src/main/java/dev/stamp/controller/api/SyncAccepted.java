package dev.stamp.controller.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The answer to a sync or rollback (HTTP 202): the release that records it (follow it with {@code
 * GET /api/v1/apps/{app}/history} or the event stream), the commit when already known, and the
 * release's state ({@code pending} at first).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SyncAccepted(String app, long release, String commit, String state) {}
