/**
 * The controller's loop for one app: read the desired state from a commit's tree, gate it, obtain
 * its images, roll it out through the agents, and record the release.
 */
package dev.stamp.controller.sync;
