/**
 * Policy-as-code over Dockerfiles, images and deployment specs: one engine for {@code stamp lint}
 * and for the controller's gate before each build and deploy.
 *
 * <p>{@link dev.stamp.policies.PolicyEngine#check} takes {@link dev.stamp.policies.Subject}s (a
 * Dockerfile's text, an image's config and layer listings, a deployment spec as plain data), runs
 * every {@link dev.stamp.policies.Rule} the {@link dev.stamp.policies.PolicyConfig} does not switch
 * off, and returns a {@link dev.stamp.policies.Report} of {@link dev.stamp.policies.Finding}s with
 * waivers applied. {@code rules} holds the default catalogue, {@code report} the output formats
 * (human, JSON, SARIF 2.1.0, JUnit XML). Nothing here depends on the controller: it maps its
 * Compose model onto {@link dev.stamp.policies.SpecSubject}.
 */
package dev.stamp.policies;
