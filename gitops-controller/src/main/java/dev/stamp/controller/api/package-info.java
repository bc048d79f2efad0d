/**
 * The controller's HTTP face: the REST API under {@code /api/v1} (bearer token), the webhooks under
 * {@code /hooks} (their own signatures), the event stream, Prometheus metrics, and {@link
 * dev.stamp.controller.api.ControllerClient} for the CLI. It stands on {@link
 * dev.stamp.controller.api.ControllerOperations}, which the controller's core implements; the wire
 * records ({@code *View}, {@link dev.stamp.controller.api.SyncAccepted}) are the contract the
 * Jenkins library and the CLI read, described by {@code openapi/controller-v1.yaml}.
 */
package dev.stamp.controller.api;
