package dev.stamp.controller.git;

import java.time.Instant;
import java.util.Objects;

/**
 * One commit as the controller records it: full and short (12 hex) id, author, author time, and the
 * message.
 */
public record CommitInfo(
    String id, String shortId, String author, String email, Instant time, String message) {

  public CommitInfo {
    Objects.requireNonNull(id, "id");
    if (!id.matches("[0-9a-f]{40}|[0-9a-f]{64}")) {
      throw new IllegalArgumentException("commit id: expected 40 or 64 hex digits, got " + id);
    }
    shortId = shortId == null ? id.substring(0, 12) : shortId;
    author = author == null ? "" : author;
    email = email == null ? "" : email;
    message = message == null ? "" : message;
    Objects.requireNonNull(time, "time");
  }

  /** The first line of the message. */
  public String subject() {
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
