/**
 * The build context: {@link dev.stamp.builder.context.DockerIgnore} (Docker's .dockerignore
 * semantics, moby/patternmatcher-compatible), {@link dev.stamp.builder.context.ContextFiles} (the
 * included entries, excluded trees skipped) and {@link dev.stamp.builder.context.ArchiveFormat}
 * (ADD's by-content archive detection).
 */
package dev.stamp.builder.context;
