/**
 * What Stamp's HTTP servers share (the agent's API, the controller's API and image endpoint):
 * bearer tokens read from owner-only files and compared in constant time, TLS material from PEM.
 */
package dev.stamp.runtime.http;
