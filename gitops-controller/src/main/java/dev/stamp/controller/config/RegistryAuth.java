package dev.stamp.controller.config;

import dev.stamp.controller.ControllerException;
import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.registry.DockerConfigCredentials;

/**
 * Checks {@code images.registryAuth}: a Docker {@code config.json} (the form {@code stamp push} and
 * {@code stamp agent --registry-auth} read) that is private (0600), valid JSON and holds
 * credentials for the registry images are pushed to, so a bad file stops the controller at startup,
 * not at the first push.
 */
final class RegistryAuth {

  private RegistryAuth() {}

  /** What is wrong with {@code file} as the credentials for {@code host}, or null. */
  static String problem(SecretFile file, String host) {
    try {
      file.read(); // exists, regular, mode 0600, not empty
    } catch (ControllerException e) {
      return e.getMessage();
    }
    try {
      if (new DockerConfigCredentials(file.path()).find(host).isEmpty()) {
        return file.path()
            + ": no credentials for "
            + host
            + " under \"auths\" (expected {\"auths\": {\""
            + host
            + "\": {\"auth\": \"<base64 of user:password>\"}}})";
      }
      return null;
    } catch (HostRuntimeException e) {
      return e.getMessage();
    }
  }
}
