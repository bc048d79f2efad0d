package dev.stamp.controller.images;

import java.time.Duration;

/**
 * The image one service of a release runs: its name in the controller's store ({@code
 * app/service:shortcommit}), its manifest digest, how it was obtained and how long that took.
 */
public record ServiceImage(
    String service,
    String reference,
    String digest,
    ImageDecision.Action action,
    String key,
    Duration took) {}
