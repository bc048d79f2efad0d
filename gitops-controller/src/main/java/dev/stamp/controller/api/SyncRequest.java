package dev.stamp.controller.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The body of {@code POST /api/v1/apps/{app}/sync}, optional as a whole: {@code revision} (a commit
 * or ref; the branch head when absent) and {@code overrideSyncWindow} (sync inside a deny window).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SyncRequest(String revision, Boolean overrideSyncWindow) {}
