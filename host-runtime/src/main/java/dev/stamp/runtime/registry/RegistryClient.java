package dev.stamp.runtime.registry;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.image.Descriptor;
import dev.stamp.runtime.image.Digest;
import dev.stamp.runtime.image.ImageStore;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Talks to one repository of one registry endpoint ({@code http://127.0.0.1:5000}, repository
 * {@code app}) with the distribution API, one operation class per call (Jib's model): {@link
 * ManifestPuller}, {@link BlobPuller}, {@link BlobChecker}, {@link BlobPusher}, {@link
 * ManifestPusher}, {@link CatalogLister}. It answers auth challenges (keeping the {@code
 * Authorization} it earned for later requests), follows redirects (without credentials when they
 * lead to another host) and retries what may pass. Messages start with {@code action}, e.g. {@code
 * pull 127.0.0.1:5000/app:1}. One per pull or push; safe to share between that operation's download
 * threads (at worst two threads fetch the same token at once).
 */
public final class RegistryClient {

  private static final int MAX_REDIRECTS = 5;
  private static final int MAX_ERROR_BODY = 64 * 1024;

  private final Transport transport;
  private final Authenticator authenticator;
  private final RegistryEndpoint endpoint;
  private final String registry;
  private final String repository;
  private final List<String> scopes;
  private final String action;
  private volatile String authorization;

  RegistryClient(
      Transport transport,
      Authenticator authenticator,
      RegistryEndpoint endpoint,
      String registry,
      String repository,
      List<String> scopes,
      String action) {
    this.transport = transport;
    this.authenticator = authenticator;
    this.endpoint = endpoint;
    this.registry = registry;
    this.repository = repository;
    this.scopes = List.copyOf(scopes);
    this.action = action;
  }

  public RegistryEndpoint endpoint() {
    return endpoint;
  }

  public String repository() {
    return repository;
  }

  /** The action messages start with. */
  public String action() {
    return action;
  }

  RegistryConfig config() {
    return transport.config();
  }

  /** {@code /v2/<repository>/<path>} on this endpoint. */
  URI repositoryUri(String path) {
    return endpoint.uri(repository + "/" + path);
  }

  // --- operations ---

  /** The manifest (or index) {@code reference} (a tag or digest) names, digest-verified. */
  public PulledManifest pullManifest(String reference) throws HostRuntimeException {
    return call(new ManifestPuller(reference));
  }

  /**
   * The digest the registry has for the manifest (or index) {@code reference} names, from a {@code
   * HEAD}; empty when the registry does not say (then only a GET tells). A fresh client of a
   * plain-http registry (loopback, insecure: no handshake to repeat) first tries one
   * unauthenticated probe, which answers an open registry without building the HTTP client;
   * anything else (a challenge, an error, a redirect) goes the full way.
   */
  public Optional<Digest> manifestDigest(String reference) throws HostRuntimeException {
    ManifestChecker check = new ManifestChecker(reference);
    if (authorization == null && endpoint.scheme().equals("http")) {
      Map<String, String> headers = new HashMap<>(check.headers());
      headers.put("User-Agent", "stamp");
      Optional<Transport.Probe> probe = transport.probe(check.uri(this), headers);
      if (probe.isPresent() && probe.get().status() == 200) {
        Optional<Digest> digest =
            ManifestChecker.parse(probe.get().header("Docker-Content-Digest"));
        if (digest.isPresent()) {
          return digest;
        }
      }
    }
    return call(check);
  }

  /**
   * Downloads {@code blob} into {@code store}, verified; nothing is stored if it fails. Hold a
   * store lease until the blob is referenced, or gc may take it.
   */
  public Descriptor pullBlob(Descriptor blob, ImageStore store) throws HostRuntimeException {
    return call(new BlobPuller(blob, store));
  }

  /** The size of {@code digest} in this repository, empty when the registry lacks it. */
  public Optional<Long> checkBlob(Digest digest) throws HostRuntimeException {
    return call(new BlobChecker(digest));
  }

  /**
   * Uploads the stored blob {@code blob}, first trying a mount from {@code mountFrom} (another
   * repository of this registry, or null).
   */
  public BlobPusher.Outcome pushBlob(Descriptor blob, ImageStore store, String mountFrom)
      throws HostRuntimeException {
    return new BlobPusher(this, blob, store, mountFrom).push();
  }

  /** Uploads a manifest under {@code reference} (tag or digest); its digest as computed. */
  public Digest pushManifest(String reference, String mediaType, byte[] bytes)
      throws HostRuntimeException {
    return call(new ManifestPusher(reference, mediaType, bytes));
  }

  /** The repositories of the registry (a client made by {@link Registries#catalogClient}). */
  public List<String> listRepositories() throws HostRuntimeException {
    return CatalogLister.repositories(this);
  }

  /** The tags of this repository. */
  public List<String> listTags() throws HostRuntimeException {
    return CatalogLister.tags(this);
  }

  // --- sending ---

  /** Sends {@code op}, retrying what may pass. */
  <T> T call(RegistryOperation<T> op) throws HostRuntimeException {
    String what = describe(op);
    return transport.retrying(what, () -> once(op, what));
  }

  /** Sends {@code op} once (auth and redirects included); for steps a caller retries as a whole. */
  <T> T callOnce(RegistryOperation<T> op) throws HostRuntimeException, IOException {
    return once(op, describe(op));
  }

  <T> T retrying(String what, Transport.Attempt<T> attempt) throws HostRuntimeException {
    return transport.retrying(what, attempt);
  }

  String describe(RegistryOperation<?> op) {
    return op.what().isEmpty() ? action : action + ": " + op.what();
  }

  private <T> T once(RegistryOperation<T> op, String what)
      throws IOException, HostRuntimeException {
    URI uri = op.uri(this);
    boolean authAnswered = false;
    int redirects = 0;
    while (true) {
      boolean ours = uri.getAuthority().equals(endpoint.host());
      try (Transport.Answer answer = transport.send(request(op, uri, ours))) {
        int status = answer.status();
        String location = answer.header("Location");
        if (isRedirect(status) && location != null && redirects < MAX_REDIRECTS && readOnly(op)) {
          redirects++;
          uri = uri.resolve(location);
          continue;
        }
        if (status == 401 && ours && !authAnswered) {
          Optional<Challenge> challenge = Challenge.pick(answer.headers("WWW-Authenticate"));
          if (challenge.isPresent()) {
            Optional<String> header =
                authenticator.authorize(
                    what, registry, challenge.get(), scopes, authorization != null);
            if (header.isPresent()) {
              authorization = header.get();
              authAnswered = true;
              continue;
            }
            throw error(what, answer, op, noCredentialsHint());
          }
        }
        if (status / 100 == 2) {
          return succeed(op, answer, what);
        }
        Optional<T> expected = op.onStatus(status);
        if (expected.isPresent()) {
          return expected.get();
        }
        throw error(what, answer, op, "");
      }
    }
  }

  private static <T> T succeed(RegistryOperation<T> op, Transport.Answer answer, String what)
      throws IOException, HostRuntimeException {
    try {
      return op.onSuccess(answer);
    } catch (RegistryException e) {
      throw e;
    } catch (HostRuntimeException e) {
      throw HostRuntimeException.wrap(what, e);
    }
  }

  private HttpRequest.Builder request(RegistryOperation<?> op, URI uri, boolean ours) {
    HttpRequest.BodyPublisher body = op.body();
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri)
            .method(op.method(), body == null ? HttpRequest.BodyPublishers.noBody() : body);
    op.headers().forEach(b::header);
    b.header("User-Agent", "stamp");
    String auth = authorization;
    if (ours && auth != null) {
      b.header("Authorization", auth);
    }
    return b;
  }

  private static boolean isRedirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
  }

  private static boolean readOnly(RegistryOperation<?> op) {
    return op.method().equals("GET") || op.method().equals("HEAD");
  }

  private static RegistryException error(
      String what, Transport.Answer answer, RegistryOperation<?> op, String hint)
      throws IOException {
    int status = answer.status();
    byte[] body = op.method().equals("HEAD") ? new byte[0] : answer.body().readUpTo(MAX_ERROR_BODY);
    ErrorBody error = ErrorBody.parse(body, RegistryErrorCode.ofStatus(status, op.notFound()));
    String message = error.message();
    if (message == null) {
      message =
          error.code() == RegistryErrorCode.UNKNOWN
              ? "HTTP " + status + " without an error message"
              : error.code().description();
    }
    return RegistryException.answer(what, status, error.code(), message + hint);
  }

  private String noCredentialsHint() {
    return " (no credentials for "
        + registry
        + " in "
        + authenticator.credentials().describe()
        + ")";
  }
}
