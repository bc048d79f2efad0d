package dev.stamp.controller.distribution;

/**
 * What the endpoint has answered since it started: requests by kind, 401s ({@code unauthorized}:
 * wrong or missing credentials, including the credential-less first request most clients send
 * before answering the challenge), other refusals, and blob bytes sent (a {@code HEAD} counts as a
 * request and sends none). For metrics and for tests that check a pull fetched only what it lacked.
 */
public record DistributionStats(
    long manifestRequests,
    long blobRequests,
    long blobBytesSent,
    long tagListRequests,
    long unauthorized,
    long refused) {}
