package dev.stamp.runtime.layer;

import java.io.IOException;

/** The bytes are not a well-formed tar archive (bad checksum, truncated, unsupported feature). */
public final class BadTarException extends IOException {

  private static final long serialVersionUID = 1L;

  public BadTarException(String message) {
    super(message);
  }
}
