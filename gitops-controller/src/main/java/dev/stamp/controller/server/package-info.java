/**
 * The controller as a process: configuration in, Git mirrors, store, image distribution, agents,
 * Quartz jobs and the HTTP API wired together; {@link dev.stamp.controller.server.Controller} is
 * what {@code stamp controller} runs and what the API calls.
 */
package dev.stamp.controller.server;
