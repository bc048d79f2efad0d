/**
 * Which images a commit needs and where they come from: each service's build key (a content hash of
 * its build inputs), reuse of an image built before from equal inputs (a {@code git revert} lands
 * here: the same digest, no build), and builds through image-builder, in parallel, of the rest.
 */
package dev.stamp.controller.images;
