package dev.stamp.controller.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The body of {@code POST /api/v1/apps/{app}/rollback}, optional as a whole: {@code toRelease} (the
 * release to go back to; the one before the current when absent).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RollbackRequest(Long toRelease) {}
