/**
 * Stamp's image builder: Dockerfile parsing, the build engine (stages, cache, RUN in Stamp's own
 * runtime) and OCI output. Depends on host-runtime only.
 */
package dev.stamp.builder;
