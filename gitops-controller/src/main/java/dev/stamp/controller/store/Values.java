package dev.stamp.controller.store;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;

/** Checks shared by the store's value records. */
final class Values {

  private Values() {}

  /** {@code value} is non-null, not blank and at most {@code max} characters (its column size). */
  static String requireText(String value, String name, int max) {
    Objects.requireNonNull(value, name);
    if (value.isBlank()) {
      throw new IllegalArgumentException(name + ": must not be blank");
    }
    if (value.length() > max) {
      throw new IllegalArgumentException(
          name + ": at most " + max + " characters, got " + value.length());
    }
    return value;
  }

  /** An OCI digest: {@code algorithm:hex}. */
  static String requireDigest(String value, String name) {
    requireText(value, name, 200);
    if (!value.matches("[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}")) {
      throw new IllegalArgumentException(name + ": not a digest (sha256:HEX): " + value);
    }
    return value;
  }

  /** An optional commit id: present means non-blank and at most 64 characters (SHA-256 hex). */
  static void requireCommit(Optional<String> commit, String name) {
    Objects.requireNonNull(commit, name);
    commit.ifPresent(c -> requireText(c, name, 64));
  }

  /** Null becomes empty; the text is at most {@code max} characters. */
  static String orEmpty(String value, String name, int max) {
    String v = value == null ? "" : value;
    if (v.length() > max) {
      throw new IllegalArgumentException(
          name + ": at most " + max + " characters, got " + v.length());
    }
    return v;
  }

  /** Databases keep microseconds (PostgreSQL's timestamptz): values are kept to that. */
  static Instant micros(Instant t) {
    return t.truncatedTo(ChronoUnit.MICROS);
  }
}
