package dev.stamp.controller.images;

import java.util.Optional;

/**
 * What a sync will do for one service's image, decided before anything is built: {@code REUSE} an
 * image built before from equal inputs (its digest is known), {@code BUILD} it (the reason says
 * why), or {@code PULL} an {@code image:} the app names.
 */
public record ImageDecision(
    String service, Action action, String key, String reason, Optional<String> digest) {

  public enum Action {
    BUILD,
    REUSE,
    PULL
  }
}
