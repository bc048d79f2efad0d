/**
 * The controller's read-only OCI distribution endpoint: agents on this machine (or any host that
 * reaches it) pull the images the controller built straight from its image store, so a single
 * machine needs no registry. Pull side of the OCI distribution spec only ({@code /v2/}, manifests,
 * blobs with ranges, tag lists); every write is refused. Each repository name sees only what its
 * own tags reach. HTTP Basic with user {@code stamp} and the controller's pull password, unless
 * explicitly anonymous on a loopback address.
 *
 * <p>{@link dev.stamp.controller.distribution.DistributionServer} is the entry point; everything
 * else here is package-private.
 */
package dev.stamp.controller.distribution;
