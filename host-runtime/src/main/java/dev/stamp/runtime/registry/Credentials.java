package dev.stamp.runtime.registry;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Credentials for one registry: a user name and password, or an identity token (an OAuth2 refresh
 * token a token server exchanges for access tokens).
 */
public record Credentials(String username, String password, String identityToken) {

  public Credentials {
    if (identityToken == null && (username == null || password == null)) {
      throw new IllegalArgumentException("credentials need a username and password or a token");
    }
  }

  public static Credentials basic(String username, String password) {
    return new Credentials(username, password, null);
  }

  /** Whether a user name and password are known (for Basic auth). */
  public boolean hasPassword() {
    return username != null && password != null;
  }

  /** The value of an {@code Authorization: Basic …} header. */
  public String basicHeader() {
    String pair = username + ":" + password;
    return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return "Credentials[" + (username == null ? "<token>" : username) + "]";
  }
}
