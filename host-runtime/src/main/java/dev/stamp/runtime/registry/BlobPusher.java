package dev.stamp.runtime.registry;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.image.BlobCorruptedException;
import dev.stamp.runtime.image.Descriptor;
import dev.stamp.runtime.image.Digest;
import dev.stamp.runtime.image.ImageStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Uploads one stored blob. With a source repository it first asks for a cross-repository mount
 * ({@code POST /v2/<name>/blobs/uploads/?mount=<digest>&from=<repo>}: 201 = mounted; 202 = the
 * registry opened an upload session instead, which is used). Blobs up to the upload chunk size (1
 * GiB unless configured) go in one request ({@code POST} then {@code PUT ?digest=} with the file's
 * bytes, one read of each byte and no hashing here: the registry checks the digest), larger ones in
 * chunks ({@code POST}, {@code PATCH} per chunk with {@code Content-Range}, then {@code PUT
 * ?digest=}). A failed upload is retried from a fresh session, as a whole.
 */
public final class BlobPusher {

  /** How a blob reached the registry. */
  public enum Outcome {
    MOUNTED,
    PUSHED
  }

  private final RegistryClient client;
  private final Descriptor blob;
  private final ImageStore store;
  private final String mountFrom;
  private final long chunk;

  BlobPusher(RegistryClient client, Descriptor blob, ImageStore store, String mountFrom) {
    this.client = client;
    this.blob = blob;
    this.store = store;
    this.mountFrom = mountFrom;
    this.chunk = client.config().uploadChunkBytes();
  }

  Outcome push() throws HostRuntimeException {
    String what = client.action() + ": push blob " + blob.digest();
    long stored = store.blobSize(blob.digest());
    if (stored != blob.size()) {
      throw HostRuntimeException.failed(
          what + ": the store holds " + stored + " bytes but the manifest says " + blob.size());
    }
    return client.retrying(what, this::pushOnce);
  }

  private Outcome pushOnce() throws IOException, HostRuntimeException {
    Session session = client.callOnce(new Start(mountFrom));
    if (session.mounted()) {
      return Outcome.MOUNTED;
    }
    if (blob.size() <= chunk) {
      client.callOnce(new Finish(session.location(), wholeBlob()));
    } else {
      client.callOnce(new Finish(patchChunks(session.location()), null));
    }
    return Outcome.PUSHED;
  }

  /**
   * PATCHes the blob chunk by chunk from one sequential read of the store (verified at its end),
   * and returns where the closing PUT goes.
   */
  private URI patchChunks(URI location) throws IOException, HostRuntimeException {
    try (InputStream in = store.openBlob(blob.digest())) {
      long offset = 0;
      while (offset < blob.size()) {
        long length = Math.min(chunk, blob.size() - offset);
        location = client.callOnce(new Patch(location, offset, length, in));
        offset += length;
      }
      if (in.read() >= 0) {
        throw HostRuntimeException.failed("blob " + blob.digest() + " grew in the image store");
      }
      return location;
    } catch (BlobCorruptedException e) {
      throw HostRuntimeException.failed(e.getMessage(), e);
    }
  }

  private record Session(boolean mounted, URI location) {}

  /** POST …/blobs/uploads/ (with mount parameters when there is a source repository). */
  private final class Start implements RegistryOperation<Session> {
    private final String from;

    Start(String from) {
      this.from = from;
    }

    @Override
    public String what() {
      return (from == null ? "start upload of blob " : "mount blob ") + blob.digest();
    }

    @Override
    public String method() {
      return "POST";
    }

    @Override
    public URI uri(RegistryClient c) {
      String query = from == null ? "" : "?mount=" + blob.digest() + "&from=" + encode(from);
      return c.repositoryUri("blobs/uploads/" + query);
    }

    @Override
    public Session onSuccess(Transport.Answer answer) throws HostRuntimeException {
      if (answer.status() == 201 && from != null) {
        return new Session(true, null);
      }
      return new Session(false, location(answer));
    }
  }

  /** PATCH one chunk; the answer's Location is where the next request goes. */
  private final class Patch implements RegistryOperation<URI> {
    private final URI location;
    private final long offset;
    private final long length;
    private final InputStream source;
    private boolean sent;

    Patch(URI location, long offset, long length, InputStream source) {
      this.location = location;
      this.offset = offset;
      this.length = length;
      this.source = source;
    }

    @Override
    public String what() {
      return "push blob " + blob.digest() + " bytes " + offset + "-" + (offset + length - 1);
    }

    @Override
    public String method() {
      return "PATCH";
    }

    @Override
    public URI uri(RegistryClient c) {
      return location;
    }

    @Override
    public Map<String, String> headers() {
      return Map.of(
          "Content-Type",
          "application/octet-stream",
          "Content-Range",
          offset + "-" + (offset + length - 1));
    }

    /** The next {@code length} bytes of the shared stream: a chunk can only be sent once. */
    @Override
    public HttpRequest.BodyPublisher body() {
      if (sent) {
        return HttpRequest.BodyPublishers.fromPublisher(
            HttpRequest.BodyPublishers.ofInputStream(
                () -> {
                  throw new UncheckedIOException(
                      new IOException("an upload chunk cannot be sent twice; restarting"));
                }),
            length);
      }
      sent = true;
      return HttpRequest.BodyPublishers.fromPublisher(
          HttpRequest.BodyPublishers.ofInputStream(() -> new Slice(source, length)), length);
    }

    @Override
    public RegistryErrorCode notFound() {
      return RegistryErrorCode.BLOB_UPLOAD_UNKNOWN;
    }

    @Override
    public URI onSuccess(Transport.Answer answer) throws HostRuntimeException {
      return location(answer);
    }
  }

  /** PUT …?digest=: with the whole blob (monolithic), or with nothing (after the chunks). */
  private final class Finish implements RegistryOperation<Digest> {
    private final URI location;
    private final HttpRequest.BodyPublisher content;

    Finish(URI location, HttpRequest.BodyPublisher content) {
      this.location = location;
      this.content = content;
    }

    @Override
    public String what() {
      return "push blob " + blob.digest();
    }

    @Override
    public String method() {
      return "PUT";
    }

    @Override
    public URI uri(RegistryClient c) {
      String sep = location.getRawQuery() == null ? "?" : "&";
      return URI.create(location + sep + "digest=" + encode(blob.digest().toString()));
    }

    @Override
    public Map<String, String> headers() {
      return Map.of("Content-Type", "application/octet-stream");
    }

    @Override
    public HttpRequest.BodyPublisher body() {
      return content == null ? HttpRequest.BodyPublishers.noBody() : content;
    }

    @Override
    public RegistryErrorCode notFound() {
      return RegistryErrorCode.BLOB_UPLOAD_UNKNOWN;
    }

    @Override
    public Digest onSuccess(Transport.Answer answer) throws HostRuntimeException {
      return RegistryOperation.stored(answer, "blob", blob.digest());
    }
  }

  private URI location(Transport.Answer answer) throws HostRuntimeException {
    String location = answer.header("Location");
    if (location == null || location.isBlank()) {
      throw HostRuntimeException.failed(
          "the registry answered HTTP " + answer.status() + " without an upload Location");
    }
    return answer.response().uri().resolve(location.strip());
  }

  /**
   * The whole stored blob, read once from its file for every attempt and not hashed here: the
   * registry hashes what it receives and refuses the closing {@code ?digest=} if it differs.
   */
  private HttpRequest.BodyPublisher wholeBlob() throws HostRuntimeException {
    try {
      return HttpRequest.BodyPublishers.ofFile(store.blobFile(blob.digest()));
    } catch (java.io.FileNotFoundException e) {
      throw HostRuntimeException.notFound("blob " + blob.digest() + " is not in the image store");
    }
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("%2F", "/");
  }

  /** The next {@code limit} bytes of a shared stream, which closing this view leaves open. */
  private static final class Slice extends java.io.FilterInputStream {
    private long left;

    Slice(InputStream in, long limit) {
      super(in);
      this.left = limit;
    }

    @Override
    public int read() throws IOException {
      if (left <= 0) {
        return -1;
      }
      int b = in.read();
      if (b >= 0) {
        left--;
      }
      return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
      if (left <= 0) {
        return -1;
      }
      int n = in.read(buf, off, (int) Math.min(len, left));
      if (n > 0) {
        left -= n;
      }
      return n;
    }

    @Override
    public void close() {
      // The stream belongs to the whole upload.
    }
  }
}
