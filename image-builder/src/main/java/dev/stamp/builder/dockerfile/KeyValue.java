package dev.stamp.builder.dockerfile;

/** One {@code key=value} of ENV or LABEL. */
public record KeyValue(String key, String value) {}
