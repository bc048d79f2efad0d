package dev.stamp.runtime.registry;

import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry classes' loggers, made on first use: initialising logging costs a short command ~0.1
 * s, which a no-op pull never pays. Initialised once behind this class's init lock, so download and
 * upload threads that log at the same moment never race slf4j's own initialisation (which would
 * print a "replaying" warning).
 */
final class Logs {

  private static final ILoggerFactory FACTORY = LoggerFactory.getILoggerFactory();

  private Logs() {}

  static Logger of(Class<?> type) {
    return FACTORY.getLogger(type.getName());
  }
}
