package dev.stamp.controller.config;

import java.net.URI;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Where release events are POSTed: a URL, the secret their HMAC signature is made with ({@code
 * secretFile}, null: unsigned) and which {@code events} to send (all when the file lists none).
 */
public record NotificationConfig(URI url, SecretFile secretFile, Set<Event> events) {

  /** What happened to a release. */
  public enum Event {
    SUCCEEDED,
    FAILED,
    ROLLED_BACK,
    DENIED,
    PARTIAL;

    /** The name in the configuration file: {@code rolled_back}. */
    public String configName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public NotificationConfig {
    Objects.requireNonNull(url, "url");
    Urls.http(url.toString(), true);
    events =
        Collections.unmodifiableSet(
            events.isEmpty() ? EnumSet.allOf(Event.class) : EnumSet.copyOf(events));
  }

  /** Whether {@code event} is sent to this URL. */
  public boolean wants(Event event) {
    return events.contains(event);
  }
}
