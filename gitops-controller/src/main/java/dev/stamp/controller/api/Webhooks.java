package dev.stamp.controller.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import dev.stamp.httpserver.RequestBodies;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Push webhooks from GitHub, GitLab and anything that signs like Stamp ({@code generic}). The
 * signature (or GitLab's token) is checked against every configured secret of the provider, in
 * constant time, before a byte of the body is parsed; a delivery that matches none is refused
 * (401), logged without its body, and never reaches {@link ControllerOperations#pushed}. A verified
 * push to the watched branch is handed over and answered at once (202); anything else verified
 * (another branch, a tag, a deleted branch, another event) is 202 {@code ignored}.
 */
final class Webhooks {

  private static final Logger LOG = LoggerFactory.getLogger(Webhooks.class);
  static final int MAX_BODY = 5 << 20;
  private static final String ZEROS = "0".repeat(40);

  /** What a delivery came to: {@code accepted}, {@code ignored} or {@code ping}. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Reply(String result, List<String> repositories, String reason) {}

  private final ControllerOperations ops;
  private final ControllerMetrics metrics;

  Webhooks(ControllerOperations ops, ControllerMetrics metrics) {
    this.ops = ops;
    this.metrics = metrics;
  }

  /**
   * Handles one delivery to {@code /hooks/{provider}}; {@code header} reads a request header,
   * {@code remote} names the sender for the log.
   */
  Reply deliver(String provider, Function<String, String> header, byte[] body, String remote)
      throws ApiFailure {
    try {
      Reply r =
          switch (provider) {
            case "github" -> github(header, body, remote);
            case "gitlab" -> gitlab(header, body, remote);
            case "generic" -> generic(header, body, remote);
            default -> throw new IllegalArgumentException("no webhook provider " + provider);
          };
      metrics.webhook(provider, r.result());
      return r;
    } catch (ApiFailure f) {
      metrics.webhook(
          provider, f.code == ApiError.Code.UNAUTHORIZED ? "unauthorized" : "bad_request");
      throw f;
    }
  }

  private Reply github(Function<String, String> header, byte[] body, String remote)
      throws ApiFailure {
    List<WebhookSecret> verified =
        verifyHmac("github", "X-Hub-Signature-256", header, body, remote, "X-GitHub-Delivery");
    String event = header.apply("X-GitHub-Event");
    if ("ping".equals(event)) {
      return new Reply("ping", names(verified), null);
    }
    if (!"push".equals(event)) {
      return new Reply("ignored", List.of(), "event " + clean(event) + " is not a push");
    }
    JsonNode payload = parse(body);
    JsonNode repo = payload.path("repository");
    List<String> identities =
        texts(
            repo.path("full_name"),
            repo.path("clone_url"),
            repo.path("ssh_url"),
            repo.path("html_url"));
    return push(
        "github", verified, identities, text(payload, "ref"), text(payload, "after"), payload);
  }

  private Reply gitlab(Function<String, String> header, byte[] body, String remote)
      throws ApiFailure {
    String token = header.apply("X-Gitlab-Token");
    List<WebhookSecret> verified = new ArrayList<>();
    byte[] presented = sha256(token == null ? new byte[0] : token.getBytes(StandardCharsets.UTF_8));
    for (WebhookSecret s : secrets("gitlab")) {
      // digests of both sides: equal length, so the comparison time says nothing of the secret
      if (MessageDigest.isEqual(presented, sha256(s.secret())) && token != null) {
        verified.add(s);
      }
    }
    if (verified.isEmpty()) {
      throw refused(
          "gitlab",
          remote,
          header.apply("X-Gitlab-Event-UUID"),
          token == null ? "X-Gitlab-Token missing" : "X-Gitlab-Token matches no repository");
    }
    JsonNode payload = parse(body);
    String kind = payload.path("object_kind").asText("");
    if (!kind.equals("push")) {
      return new Reply("ignored", List.of(), "object_kind " + clean(kind) + " is not a push");
    }
    JsonNode project = payload.path("project");
    List<String> identities =
        texts(
            project.path("path_with_namespace"),
            project.path("git_http_url"),
            project.path("git_ssh_url"),
            project.path("web_url"));
    return push(
        "gitlab", verified, identities, text(payload, "ref"), text(payload, "after"), payload);
  }

  private Reply generic(Function<String, String> header, byte[] body, String remote)
      throws ApiFailure {
    List<WebhookSecret> verified =
        verifyHmac("generic", "X-Stamp-Signature", header, body, remote, "X-Stamp-Delivery");
    JsonNode payload = parse(body);
    String repository = text(payload, "repository");
    List<WebhookSecret> named =
        verified.stream().filter(s -> s.repository().equals(repository)).toList();
    if (named.isEmpty()) {
      throw refused(
          "generic",
          remote,
          header.apply("X-Stamp-Delivery"),
          "signed with a secret that is not repository " + clean(repository) + "'s");
    }
    return push(
        "generic",
        named,
        List.of(repository),
        text(payload, "ref"),
        text(payload, "after"),
        payload);
  }

  /**
   * A verified push: narrowed to the repositories the payload names when a secret is shared, then
   * to those watching its branch, and handed over.
   */
  private Reply push(
      String provider,
      List<WebhookSecret> verified,
      List<String> identities,
      String ref,
      String after,
      JsonNode payload)
      throws ApiFailure {
    if (ref == null || ref.isBlank() || ref.length() > 255 || ref.chars().anyMatch(c -> c <= ' ')) {
      throw new ApiFailure(ApiError.Code.BAD_REQUEST, provider + " push: no usable ref", "ref");
    }
    if (after == null || !after.matches("[0-9a-f]{40}|[0-9a-f]{64}")) {
      throw new ApiFailure(
          ApiError.Code.BAD_REQUEST,
          provider + " push to " + clean(ref) + ": after is not a commit id",
          "after");
    }
    String fullRef = ref.startsWith("refs/") ? ref : "refs/heads/" + ref;
    if (after.equals(ZEROS)
        || after.equals(ZEROS + ZEROS.substring(0, 24))
        || payload.path("deleted").asBoolean(false)) {
      return new Reply("ignored", List.of(), "branch " + clean(fullRef) + " was deleted");
    }
    List<WebhookSecret> candidates = verified;
    if (verified.stream().map(WebhookSecret::repository).distinct().count() > 1) {
      candidates = verified.stream().filter(s -> names(s.repository(), identities)).toList();
      if (candidates.isEmpty()) {
        return new Reply(
            "ignored",
            List.of(),
            "the secret is shared by "
                + verified.size()
                + " repositories and the payload names none of them");
      }
    }
    List<String> accepted = new ArrayList<>();
    for (WebhookSecret s : candidates) {
      // a repository listed once per watched branch or app is handed over once
      if (fullRef.equals("refs/heads/" + s.branch()) && !accepted.contains(s.repository())) {
        ops.pushed(s.repository(), fullRef, after, provider);
        accepted.add(s.repository());
      }
    }
    if (accepted.isEmpty()) {
      return new Reply(
          "ignored",
          List.of(),
          clean(fullRef) + " is not the watched branch " + candidates.get(0).branch());
    }
    return new Reply("accepted", accepted, null);
  }

  private List<WebhookSecret> verifyHmac(
      String provider,
      String headerName,
      Function<String, String> header,
      byte[] body,
      String remote,
      String deliveryHeader)
      throws ApiFailure {
    String signature = header.apply(headerName);
    byte[] presented = null;
    if (signature != null && signature.matches("sha256=[0-9a-fA-F]{64}")) {
      presented = HexFormat.of().parseHex(signature.substring(7).toLowerCase(Locale.ROOT));
    }
    List<WebhookSecret> verified = new ArrayList<>();
    for (WebhookSecret s : secrets(provider)) {
      byte[] expected = hmac(s.secret(), body);
      if (presented != null && MessageDigest.isEqual(expected, presented)) {
        verified.add(s);
      }
    }
    if (verified.isEmpty()) {
      String why =
          signature == null
              ? headerName + " missing"
              : presented == null
                  ? headerName + " is not sha256=<64 hex>"
                  : headerName + " matches no repository's secret";
      throw refused(provider, remote, header.apply(deliveryHeader), why);
    }
    return verified;
  }

  private List<WebhookSecret> secrets(String provider) {
    return ops.webhookSecrets().stream().filter(s -> s.provider().equals(provider)).toList();
  }

  private static ApiFailure refused(String provider, String remote, String delivery, String why) {
    LOG.warn(
        "refused {} webhook from {} (delivery {}): {}", provider, remote, clean(delivery), why);
    return new ApiFailure(ApiError.Code.UNAUTHORIZED, provider + " webhook: " + why);
  }

  private static JsonNode parse(byte[] body) throws ApiFailure {
    try {
      JsonNode node = Bodies.JSON.readTree(body);
      if (node == null || !node.isObject()) {
        throw new ApiFailure(ApiError.Code.BAD_REQUEST, "webhook payload: not a JSON object");
      }
      return node;
    } catch (IOException e) {
      throw new ApiFailure(
          ApiError.Code.BAD_REQUEST,
          "webhook payload: malformed JSON: "
              + RequestBodies.shorten(e.getMessage() == null ? e.toString() : e.getMessage()));
    }
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || !v.isTextual() ? null : v.asText();
  }

  private static List<String> texts(JsonNode... nodes) {
    List<String> out = new ArrayList<>();
    for (JsonNode n : nodes) {
      if (n.isTextual()) {
        out.add(n.asText());
      }
    }
    return out;
  }

  /** Whether {@code repository} (a name or URL) is one the payload names. */
  static boolean names(String repository, List<String> identities) {
    String want = normal(repository);
    for (String id : identities) {
      String have = normal(id);
      if (have.equals(want) || have.endsWith("/" + want) || have.endsWith(":" + want)) {
        return true;
      }
    }
    return false;
  }

  private static String normal(String s) {
    String n = s.strip().toLowerCase(Locale.ROOT);
    while (n.endsWith("/")) {
      n = n.substring(0, n.length() - 1);
    }
    return n.endsWith(".git") ? n.substring(0, n.length() - 4) : n;
  }

  private static List<String> names(List<WebhookSecret> secrets) {
    return secrets.stream().map(WebhookSecret::repository).toList();
  }

  /** A header or payload value fit for a log line or message: printable, short. */
  static String clean(String s) {
    if (s == null) {
      return "-";
    }
    String c = s.replaceAll("[^A-Za-z0-9._/:@+-]", "?");
    return c.length() > 80 ? c.substring(0, 80) + "…" : c;
  }

  private static byte[] hmac(byte[] key, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(body);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256", e);
    }
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256", e);
    }
  }
}
