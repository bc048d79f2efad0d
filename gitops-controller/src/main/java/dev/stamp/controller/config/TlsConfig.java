package dev.stamp.controller.config;

import java.nio.file.Path;
import java.util.Objects;

/** A certificate chain and its private key, both PEM files, for a listener that speaks HTTPS. */
public record TlsConfig(Path certFile, Path keyFile) {

  public TlsConfig {
    Objects.requireNonNull(certFile, "certFile");
    Objects.requireNonNull(keyFile, "keyFile");
  }
}
