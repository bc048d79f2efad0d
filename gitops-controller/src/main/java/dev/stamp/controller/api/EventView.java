package dev.stamp.controller.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * One thing that happened to an app, as the event stream sends it ({@code id} is the SSE id, rising
 * per controller): {@code type} such as {@code fetched}, {@code planned}, {@code build_started},
 * {@code built}, {@code host_replaced}, {@code release_succeeded}, {@code release_failed}, {@code
 * drift}; {@code release} when it belongs to one; {@code data}: the type's own fields.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EventView(
    long id,
    String app,
    Long release,
    String type,
    String at,
    String message,
    Map<String, Object> data) {}
