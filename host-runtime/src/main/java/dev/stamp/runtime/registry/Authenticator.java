package dev.stamp.runtime.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.image.ImageJson;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;

/**
 * Answers {@code WWW-Authenticate} challenges. {@code Bearer realm=…,service=…,scope=…}: asks the
 * realm for a token for the scopes (with Basic credentials when known, or by OAuth2 refresh with an
 * identity token), takes {@code token} or {@code access_token} from the answer and caches it per
 * realm, service and scopes until it expires. {@code Basic}: the credentials themselves.
 */
final class Authenticator {

  private static Logger log() {
    return Logs.of(Authenticator.class);
  }

  private static final Duration DEFAULT_TOKEN_LIFE = Duration.ofSeconds(60);

  private record Token(String header, Instant expires) {}

  private final Transport transport;
  private final CredentialSource credentials;
  private final Map<String, Token> tokens = new ConcurrentHashMap<>();

  Authenticator(Transport transport, CredentialSource credentials) {
    this.transport = transport;
    this.credentials = credentials;
  }

  CredentialSource credentials() {
    return credentials;
  }

  /**
   * The {@code Authorization} header that answers {@code challenge} from {@code registry} for
   * {@code scopes}; empty when nothing can (Basic without credentials). {@code fresh} skips the
   * token cache (the cached token was just refused).
   */
  Optional<String> authorize(
      String action, String registry, Challenge challenge, List<String> scopes, boolean fresh)
      throws HostRuntimeException {
    if (challenge.isBasic()) {
      return credentials.find(registry).filter(Credentials::hasPassword).map(c -> c.basicHeader());
    }
    if (!challenge.isBearer() || challenge.param("realm") == null) {
      throw HostRuntimeException.failed(
          action + ": " + registry + " asks for unsupported authentication " + challenge.scheme());
    }
    List<String> wanted = scopesFor(challenge, scopes);
    String key = challenge.param("realm") + "|" + challenge.param("service") + "|" + wanted;
    Token cached = tokens.get(key);
    if (!fresh && cached != null && cached.expires().isAfter(Instant.now())) {
      return Optional.of(cached.header());
    }
    Token token = fetchToken(action, registry, challenge, wanted);
    tokens.put(key, token);
    return Optional.of(token.header());
  }

  /** The client's scopes plus any the challenge names, sorted, without repeats. */
  private static List<String> scopesFor(Challenge challenge, List<String> scopes) {
    TreeSet<String> all = new TreeSet<>(scopes);
    String asked = challenge.param("scope");
    if (asked != null) {
      for (String s : asked.split(" ")) {
        if (!s.isBlank()) {
          all.add(s);
        }
      }
    }
    return List.copyOf(all);
  }

  private Token fetchToken(String action, String registry, Challenge challenge, List<String> scopes)
      throws HostRuntimeException {
    URI realm = realm(action, registry, challenge.param("realm"));
    Optional<Credentials> creds = credentials.find(registry);
    String service = challenge.param("service");
    HttpRequest.Builder request;
    if (creds.isPresent() && creds.get().identityToken() != null) {
      request = refreshRequest(realm, service, scopes, creds.get().identityToken());
    } else {
      request = HttpRequest.newBuilder(withQuery(realm, service, scopes)).GET();
      creds
          .filter(Credentials::hasPassword)
          .ifPresent(c -> request.header("Authorization", c.basicHeader()));
    }
    log()
        .debug(
            "token for {} from {} (scopes {}, {})",
            registry,
            realm,
            scopes,
            creds.isPresent() ? "with credentials" : "anonymous");
    return transport.retrying(action, () -> exchange(action, request, creds.isPresent()));
  }

  private Token exchange(String action, HttpRequest.Builder request, boolean withCredentials)
      throws IOException, HostRuntimeException {
    try (Transport.Answer answer = transport.send(request)) {
      byte[] body = answer.body().readUpTo(1 << 20);
      if (answer.status() != 200) {
        ErrorBody error =
            ErrorBody.parse(
                body, RegistryErrorCode.ofStatus(answer.status(), RegistryErrorCode.UNAUTHORIZED));
        RegistryErrorCode code =
            answer.status() < 500 && error.code() == RegistryErrorCode.UNKNOWN
                ? RegistryErrorCode.UNAUTHORIZED
                : error.code();
        String message =
            error.message() == null
                ? "token server answered HTTP " + answer.status()
                : error.message();
        if (!withCredentials && answer.status() < 500) {
          message += " (no credentials for this registry in " + credentials.describe() + ")";
        }
        throw RegistryException.answer(action, answer.status(), code, message);
      }
      return parseToken(action, body);
    }
  }

  private static Token parseToken(String action, byte[] body) throws HostRuntimeException {
    JsonNode json;
    try {
      json = ImageJson.mapper().readTree(body);
    } catch (IOException e) {
      json = null;
    }
    String token = json == null ? null : json.path("token").asText(null);
    if (token == null || token.isBlank()) {
      token = json == null ? null : json.path("access_token").asText(null);
    }
    if (token == null || token.isBlank()) {
      throw HostRuntimeException.failed(
          action + ": the token server answered without a \"token\" or \"access_token\"");
    }
    long seconds = json.path("expires_in").asLong(0);
    Duration life = seconds > 0 ? Duration.ofSeconds(seconds) : DEFAULT_TOKEN_LIFE;
    // Renew a little early so a token does not expire between check and use.
    Instant expires = Instant.now().plus(life).minusSeconds(Math.min(10, life.toSeconds() / 4));
    return new Token("Bearer " + token, expires);
  }

  private HttpRequest.Builder refreshRequest(
      URI realm, String service, List<String> scopes, String refreshToken) {
    List<String> form = new ArrayList<>();
    form.add("grant_type=refresh_token");
    form.add("refresh_token=" + encode(refreshToken));
    form.add("client_id=stamp");
    if (service != null) {
      form.add("service=" + encode(service));
    }
    if (!scopes.isEmpty()) {
      form.add("scope=" + encode(String.join(" ", scopes)));
    }
    return HttpRequest.newBuilder(realm)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(String.join("&", form)));
  }

  /** The realm URL; plain http only to loopback or insecure hosts (it may receive passwords). */
  private URI realm(String action, String registry, String text) throws HostRuntimeException {
    URI uri;
    try {
      uri = new URI(text);
    } catch (java.net.URISyntaxException e) {
      throw HostRuntimeException.failed(
          action + ": " + registry + " names an invalid token realm \"" + text + "\"");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme();
    boolean plainAllowed =
        uri.getAuthority() != null
            && (RegistryEndpoint.isLoopback(uri.getAuthority())
                || transport.config().isInsecure(uri.getAuthority()));
    if (!(scheme.equals("https") || scheme.equals("http") && plainAllowed)) {
      throw HostRuntimeException.failed(
          action
              + ": "
              + registry
              + " names the token realm \""
              + text
              + "\", which is not https (plain http only for loopback or insecure hosts)");
    }
    return uri;
  }

  private static URI withQuery(URI realm, String service, List<String> scopes) {
    StringBuilder q = new StringBuilder(realm.getRawQuery() == null ? "" : realm.getRawQuery());
    if (service != null) {
      q.append(q.length() == 0 ? "" : "&").append("service=").append(encode(service));
    }
    for (String scope : scopes) {
      q.append(q.length() == 0 ? "" : "&").append("scope=").append(encode(scope));
    }
    String base = realm.toString();
    int question = base.indexOf('?');
    if (question >= 0) {
      base = base.substring(0, question);
    }
    return URI.create(q.length() == 0 ? base : base + "?" + q);
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
