package dev.stamp.controller.distribution;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stamp.controller.ControllerException;
import dev.stamp.httpserver.RequestBodies;
import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampException;
import dev.stamp.runtime.image.Descriptor;
import dev.stamp.runtime.image.Digest;
import dev.stamp.runtime.image.ImageJson;
import dev.stamp.runtime.registry.RegistryErrorCode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pull side of the OCI distribution API over a {@link StoreView}. In order: authentication
 * (every route, {@code /v2/} included, so clients learn the challenge there), the method (GET and
 * HEAD only; anything else 405 {@code UNSUPPORTED}), then the raw path — never percent-decoded: a
 * {@code %} is refused, and name, tag and digest must match the spec's grammar before the store is
 * asked — then the name's scope ({@link Repository}). Blobs are streamed from their files, with a
 * single byte range when asked.
 */
final class DistributionHandler extends Handler.Abstract {

  private static final Logger LOG = LoggerFactory.getLogger(DistributionHandler.class);

  static final String API_VERSION = "registry/2.0";
  private static final int MAX_PATH = 1024;
  private static final int BLOB_BUFFER = 256 * 1024;

  /** Blobs up to this size are sent as one mapped buffer; larger ones are streamed. */
  static final long MAX_MAPPED = 1L << 30;

  private static final Pattern MANIFEST = Pattern.compile("/v2/(.+)/manifests/([^/]+)");
  private static final Pattern BLOB = Pattern.compile("/v2/(.+)/blobs/([^/]+)");
  private static final Pattern TAGS = Pattern.compile("/v2/(.+)/tags/list");

  private final StoreView view;
  private final PullAccess access;
  private final long maxMapped;
  private final LongAdder manifests = new LongAdder();
  private final LongAdder blobs = new LongAdder();
  private final LongAdder blobBytes = new LongAdder();
  private final LongAdder tagLists = new LongAdder();
  private final LongAdder unauthorized = new LongAdder();
  private final LongAdder refused = new LongAdder();

  DistributionHandler(StoreView view, PullAccess access, long maxMapped) {
    this.view = view;
    this.access = access;
    this.maxMapped = maxMapped;
  }

  DistributionStats stats() {
    return new DistributionStats(
        manifests.sum(),
        blobs.sum(),
        blobBytes.sum(),
        tagLists.sum(),
        unauthorized.sum(),
        refused.sum());
  }

  /** A refusal: status, spec error code, message. */
  private static final class Refusal extends Exception {
    private static final long serialVersionUID = 1L;
    final int status;
    final transient RegistryErrorCode code;

    Refusal(int status, RegistryErrorCode code, String message) {
      super(message, null, false, false);
      this.status = status;
      this.code = code;
    }
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    String method = request.getMethod();
    String path = request.getHttpURI().getPath();
    response.getHeaders().put("Docker-Distribution-API-Version", API_VERSION);
    try {
      Optional<PullSecret> secret = access.current();
      if (secret.isPresent()
          && !secret.get().matchesBasic(request.getHeaders().get(HttpHeader.AUTHORIZATION))) {
        unauthorized.increment();
        // debug: most clients send their first request without credentials, by design
        LOG.debug(
            "refused {} {} from {}: missing or wrong pull credentials",
            method,
            shorten(path),
            Request.getRemoteAddr(request));
        response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Basic realm=\"stamp\"");
        throw new Refusal(
            401, RegistryErrorCode.UNAUTHORIZED, "authentication required (user stamp)");
      }
      boolean head = method.equals("HEAD");
      if (!head && !method.equals("GET")) {
        response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
        throw new Refusal(
            405,
            RegistryErrorCode.UNSUPPORTED,
            method
                + ": this endpoint is read-only (pull only; the controller pushes nothing here)");
      }
      route(path, head, request, response, callback);
    } catch (Refusal r) {
      if (r.status != 401) {
        refused.increment();
      }
      error(response, callback, r, method.equals("HEAD"));
    } catch (ControllerException e) {
      // the pull password file is unreadable or weak: refuse everything until it is fixed
      LOG.warn("{} {}: {}", method, shorten(path), e.getMessage());
      error(
          response,
          callback,
          new Refusal(503, RegistryErrorCode.UNKNOWN, "pull credentials unavailable on the server"),
          method.equals("HEAD"));
    } catch (HostRuntimeException e) {
      int status = e.kind() == StampException.Kind.NOT_FOUND ? 404 : 500;
      LOG.warn("{} {}: {}", method, shorten(path), e.getMessage());
      error(
          response,
          callback,
          new Refusal(status, RegistryErrorCode.UNKNOWN, e.getMessage()),
          method.equals("HEAD"));
    } catch (IOException | RuntimeException e) {
      LOG.error("{} {} failed", method, shorten(path), e);
      error(
          response,
          callback,
          new Refusal(500, RegistryErrorCode.UNKNOWN, method + " " + shorten(path) + ": " + e),
          method.equals("HEAD"));
    }
    return true;
  }

  private void route(String path, boolean head, Request request, Response response, Callback cb)
      throws Refusal, HostRuntimeException, IOException {
    if (path.equals("/v2/") || path.equals("/v2")) {
      json(response, cb, 200, ImageJson.mapper().createObjectNode(), head);
      return;
    }
    if (path.length() > MAX_PATH || path.indexOf('%') >= 0 || path.contains("//")) {
      throw new Refusal(400, RegistryErrorCode.NAME_INVALID, "malformed path " + shorten(path));
    }
    Matcher m;
    if ((m = MANIFEST.matcher(path)).matches()) {
      manifests.increment();
      manifest(repository(m.group(1)), m.group(2), head, response, cb);
    } else if ((m = BLOB.matcher(path)).matches()) {
      blobs.increment();
      blob(repository(m.group(1)), m.group(2), head, request, response, cb);
    } else if ((m = TAGS.matcher(path)).matches()) {
      tagLists.increment();
      tags(repository(m.group(1)), request, response, cb, head);
    } else {
      throw new Refusal(404, RegistryErrorCode.NAME_UNKNOWN, "no such route: " + shorten(path));
    }
  }

  private Repository repository(String name) throws Refusal, HostRuntimeException {
    if (!OciNames.validName(name)) {
      throw new Refusal(
          400, RegistryErrorCode.NAME_INVALID, "invalid repository name " + shorten(name));
    }
    return view.repository(name)
        .orElseThrow(
            () ->
                new Refusal(
                    404, RegistryErrorCode.NAME_UNKNOWN, "repository " + name + " unknown"));
  }

  private void manifest(
      Repository repo, String reference, boolean head, Response response, Callback cb)
      throws Refusal, HostRuntimeException {
    Optional<Descriptor> found;
    if (reference.contains(":")) {
      Digest digest =
          OciNames.sha256(reference)
              .orElseThrow(
                  () ->
                      new Refusal(
                          400,
                          RegistryErrorCode.DIGEST_INVALID,
                          "invalid digest " + shorten(reference) + " (expected sha256:<64 hex>)"));
      found = repo.manifest(digest);
    } else if (OciNames.validTag(reference)) {
      found = repo.manifest(reference);
    } else {
      found = Optional.empty();
    }
    if (found.isEmpty() || !view.store().hasBlob(found.get().digest())) {
      throw new Refusal(
          404,
          RegistryErrorCode.MANIFEST_UNKNOWN,
          "manifest " + shorten(reference) + " unknown in " + repo.name());
    }
    Descriptor d = found.get();
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, d.mediaType());
    response.getHeaders().put("Docker-Content-Digest", d.digest().toString());
    response.setStatus(200);
    if (head) {
      response.getHeaders().put(HttpHeader.CONTENT_LENGTH, view.store().blobSize(d.digest()));
      response.write(true, null, cb);
      return;
    }
    byte[] bytes = view.store().readBlob(d.digest()); // verified: a corrupt manifest is not sent
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
    response.write(true, ByteBuffer.wrap(bytes), cb);
  }

  private void blob(
      Repository repo,
      String reference,
      boolean head,
      Request request,
      Response response,
      Callback cb)
      throws Refusal, HostRuntimeException, IOException {
    Digest digest =
        OciNames.sha256(reference)
            .orElseThrow(
                () ->
                    new Refusal(
                        400,
                        RegistryErrorCode.DIGEST_INVALID,
                        "invalid digest " + shorten(reference) + " (expected sha256:<64 hex>)"));
    if (repo.blob(digest).isEmpty() || !view.store().hasBlob(digest)) {
      throw new Refusal(
          404, RegistryErrorCode.BLOB_UNKNOWN, "blob " + digest + " unknown in " + repo.name());
    }
    Path file = view.store().blobFile(digest);
    long size = Files.size(file);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/octet-stream");
    response.getHeaders().put("Docker-Content-Digest", digest.toString());
    response.getHeaders().put(HttpHeader.ACCEPT_RANGES, "bytes");
    ByteRange.Parsed asked = ByteRange.parse(request.getHeaders().get(HttpHeader.RANGE), size);
    if (asked.unsatisfiable()) {
      response.getHeaders().put(HttpHeader.CONTENT_RANGE, "bytes */" + size);
      throw new Refusal(
          416, RegistryErrorCode.BLOB_UNKNOWN, "range not satisfiable: blob is " + size + " bytes");
    }
    long offset = 0;
    long length = size;
    if (asked.range().isPresent()) {
      ByteRange range = asked.range().get();
      offset = range.first();
      length = range.length();
      response.setStatus(206);
      response.getHeaders().put(HttpHeader.CONTENT_RANGE, range.contentRange(size));
    } else {
      response.setStatus(200);
    }
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, length);
    if (head) {
      response.write(true, null, cb);
      return;
    }
    long sent = length;
    Callback counted =
        Callback.from(
            () -> {
              blobBytes.add(sent);
              cb.succeeded();
            },
            cb::failed);
    if (length <= maxMapped) {
      // one write of the mapped file: the kernel copies from the page cache, no heap copies
      // (blobs are immutable: written to a temp file, renamed into place, only ever unlinked)
      ByteBuffer mapped;
      try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
        mapped = channel.map(FileChannel.MapMode.READ_ONLY, offset, length);
      }
      response.write(true, mapped, counted);
      return;
    }
    ByteBufferPool.Sized pool =
        new ByteBufferPool.Sized(request.getComponents().getByteBufferPool(), true, BLOB_BUFFER);
    Content.copy(Content.Source.from(pool, file, offset, length), response, counted);
  }

  private void tags(Repository repo, Request request, Response response, Callback cb, boolean head)
      throws Refusal {
    Fields query = Request.extractQueryParameters(request);
    String last = query.getValue("last");
    String nText = query.getValue("n");
    int n = Integer.MAX_VALUE;
    if (nText != null) {
      try {
        n = Integer.parseInt(nText);
      } catch (NumberFormatException e) {
        n = -1;
      }
      if (n < 0) {
        throw new Refusal(
            400, RegistryErrorCode.UNSUPPORTED, "n=" + shorten(nText) + ": expected a count >= 0");
      }
    }
    List<String> all =
        new ArrayList<>(last == null ? repo.tags().keySet() : repo.tags().tailMap(last).keySet());
    if (last != null && !all.isEmpty() && all.get(0).equals(last)) {
      all.remove(0);
    }
    List<String> page = all.subList(0, Math.min(n, all.size()));
    if (page.size() < all.size() && !page.isEmpty()) {
      response
          .getHeaders()
          .put(
              HttpHeader.LINK,
              "</v2/"
                  + repo.name()
                  + "/tags/list?n="
                  + n
                  + "&last="
                  + page.get(page.size() - 1)
                  + ">; rel=\"next\"");
    }
    ObjectNode body = ImageJson.mapper().createObjectNode();
    body.put("name", repo.name());
    ArrayNode tags = body.putArray("tags");
    page.forEach(tags::add);
    json(response, cb, 200, body, head);
  }

  private static void json(Response response, Callback cb, int status, Object body, boolean head) {
    byte[] bytes = ImageJson.write(body);
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
    response.write(true, head ? null : ByteBuffer.wrap(bytes), cb);
  }

  private static void error(Response response, Callback cb, Refusal r, boolean head) {
    ObjectNode body = ImageJson.mapper().createObjectNode();
    ObjectNode error = body.putArray("errors").addObject();
    error.put("code", r.code.name());
    error.put("message", r.getMessage());
    RequestBodies.closeIfBodyLeft(response);
    json(response, cb, r.status, body, head);
  }

  /** A path or name as it may appear in a message: at most 200 characters. */
  private static String shorten(String s) {
    return s.length() > 200 ? s.substring(0, 200) + "…" : s;
  }
}
