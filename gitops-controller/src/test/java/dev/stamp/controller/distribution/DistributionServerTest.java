package dev.stamp.controller.distribution;

import static dev.stamp.controller.distribution.TestImages.basic;
import static dev.stamp.controller.distribution.TestImages.raw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stamp.controller.ControllerException;
import dev.stamp.runtime.StampException;
import dev.stamp.runtime.image.Descriptor;
import dev.stamp.runtime.image.Digest;
import dev.stamp.runtime.image.Image;
import dev.stamp.runtime.image.ImageJson;
import dev.stamp.runtime.image.ImageReference;
import dev.stamp.runtime.image.ImageStore;
import dev.stamp.runtime.image.MediaType;
import dev.stamp.runtime.registry.DockerConfigCredentials;
import dev.stamp.runtime.registry.ImagePuller;
import dev.stamp.runtime.registry.PullResult;
import dev.stamp.runtime.registry.Registries;
import dev.stamp.runtime.registry.RegistryConfig;
import dev.stamp.runtime.registry.RegistryErrorCode;
import dev.stamp.runtime.registry.RegistryException;
import dev.stamp.runtime.registry.TransferListener;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The endpoint over a real store on 127.0.0.1, asked by Stamp's registry client and by raw HTTP:
 * pulls (whole, then one whose blobs are present), the spec's headers and errors, scope per name,
 * hostile paths, writes, ranges and authentication.
 */
class DistributionServerTest {

  @TempDir Path tmp;
  PullSecret secret;
  ImageStore store;
  Image web;
  Image api;
  DistributionServer server;
  String auth;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    store = TestImages.store(tmp.resolve("controller"));
    web = TestImages.oneFile(store, tmp, "shop/web:abc123", "hello from web\n");
    api = TestImages.oneFile(store, tmp, "shop/api:abc123", "hello from api\n");
    secret = PullSecret.generate();
    auth = basic("stamp", secret.reveal());
    server =
        DistributionServer.start(
            store, new InetSocketAddress("127.0.0.1", 0), PullAccess.password(secret));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  int port() {
    return server.address().getPort();
  }

  /** Registries whose credentials come from a Docker config.json, as an agent's do. */
  Registries registries(String password) throws Exception {
    Path file = tmp.resolve("auth-" + System.nanoTime() + ".json");
    Files.writeString(
        file,
        password == null ? "{}" : PullSecret.of(password).dockerConfigJson(server.registry()));
    return new Registries(RegistryConfig.DEFAULT, new DockerConfigCredentials(file));
  }

  HttpResponse<byte[]> get(String path, String authorization, String... headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://" + server.registry() + path));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  static JsonNode json(HttpResponse<byte[]> r) throws Exception {
    return ImageJson.mapper().readTree(r.body());
  }

  static String errorCode(byte[] body) throws Exception {
    return ImageJson.mapper().readTree(body).path("errors").path(0).path("code").asText();
  }

  @Test
  void stampsRegistryClientPullsTheImageWithTheSameManifestConfigAndLayers() throws Exception {
    ImageStore agentStore = TestImages.store(tmp.resolve("agent"));
    ImageReference ref = ImageReference.parse(server.registry() + "/shop/web:abc123");

    PullResult pulled =
        new ImagePuller(registries(secret.reveal()), agentStore).pull(ref, TransferListener.NONE);

    Image got = agentStore.resolve(ref.toString());
    assertThat(pulled.remoteDigest()).isEqualTo(web.manifestDigest());
    assertThat(got.manifestDigest()).isEqualTo(web.manifestDigest());
    assertThat(got.configDigest()).isEqualTo(web.configDigest());
    assertThat(got.layers())
        .extracting(Descriptor::digest)
        .containsExactlyElementsOf(web.layers().stream().map(Descriptor::digest).toList());
    assertThat(agentStore.readBlob(got.layers().get(0).digest()))
        .isEqualTo(store.readBlob(web.layers().get(0).digest()));
  }

  @Test
  void aPullByDigestWorksAsTheControllerAsksAgentsToPull() throws Exception {
    ImageStore agentStore = TestImages.store(tmp.resolve("agent"));
    ImageReference ref =
        ImageReference.parse(
            DistributionServer.pullReference(
                server.registry(), ImageReference.parse("shop/web:abc123"), web.manifestDigest()));
    assertThat(ref.toString()).isEqualTo(server.registry() + "/shop/web@" + web.manifestDigest());

    new ImagePuller(registries(secret.reveal()), agentStore).pull(ref, TransferListener.NONE);

    assertThat(agentStore.resolve(ref.toString()).configDigest()).isEqualTo(web.configDigest());
  }

  @Test
  void aSecondImageWhoseBlobsArePresentTransfersOnlyItsManifest() throws Exception {
    Descriptor second = TestImages.sameBlobs(store, web, "shop/web:def456");
    ImageStore agentStore = TestImages.store(tmp.resolve("agent"));
    Registries registries = registries(secret.reveal());
    new ImagePuller(registries, agentStore)
        .pull(ImageReference.parse(server.registry() + "/shop/web:abc123"), TransferListener.NONE);
    DistributionStats before = server.stats();

    PullResult result =
        new ImagePuller(registries, agentStore)
            .pull(
                ImageReference.parse(server.registry() + "/shop/web:def456"),
                TransferListener.NONE);

    DistributionStats after = server.stats();
    assertThat(result.remoteDigest()).isEqualTo(second.digest());
    assertThat(after.blobRequests() - before.blobRequests()).isZero();
    assertThat(after.blobBytesSent() - before.blobBytesSent()).isZero();
    assertThat(after.manifestRequests() - before.manifestRequests()).isBetween(1L, 2L);
  }

  @Test
  void aWrongOrMissingPasswordIsRefusedWithABasicChallenge() throws Exception {
    for (String authorization :
        Arrays.asList(
            null,
            basic("stamp", "wrong-password-0123456789"),
            basic("admin", secret.reveal()),
            "Bearer " + secret.reveal(),
            "Basic !!!notbase64")) {
      HttpResponse<byte[]> r = get("/v2/shop/web/manifests/abc123", authorization);
      assertThat(r.statusCode()).as("%s", authorization).isEqualTo(401);
      assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"stamp\"");
      assertThat(errorCode(r.body())).isEqualTo("UNAUTHORIZED");
      assertThat(new String(r.body(), StandardCharsets.UTF_8)).doesNotContain(secret.reveal());
    }
    assertThat(get("/v2/", null).statusCode()).isEqualTo(401);
    ImageStore agentStore = TestImages.store(tmp.resolve("agent"));
    assertThatThrownBy(
            () ->
                new ImagePuller(registries("wrong-password-0123456789"), agentStore)
                    .pull(
                        ImageReference.parse(server.registry() + "/shop/web:abc123"),
                        TransferListener.NONE))
        .isInstanceOfSatisfying(
            RegistryException.class,
            e -> assertThat(e.code()).isEqualTo(RegistryErrorCode.UNAUTHORIZED));
    assertThat(server.stats().unauthorized()).isGreaterThanOrEqualTo(6);
  }

  @Test
  void baseAndManifestAnswersCarryTheSpecsHeaders() throws Exception {
    HttpResponse<byte[]> base = get("/v2/", auth);
    assertThat(base.statusCode()).isEqualTo(200);
    assertThat(base.headers().firstValue("Docker-Distribution-API-Version"))
        .hasValue("registry/2.0");

    byte[] stored = store.readBlob(web.manifestDigest());
    for (String reference : List.of("abc123", web.manifestDigest().toString())) {
      HttpResponse<byte[]> m = get("/v2/shop/web/manifests/" + reference, auth);
      assertThat(m.statusCode()).isEqualTo(200);
      assertThat(m.body()).isEqualTo(stored);
      assertThat(m.headers().firstValue("Content-Type")).hasValue(MediaType.OCI_MANIFEST);
      assertThat(m.headers().firstValue("Docker-Content-Digest"))
          .hasValue(web.manifestDigest().toString());
      assertThat(m.headers().firstValue("Content-Length")).hasValue("" + stored.length);
    }
    HttpResponse<Void> head =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://" + server.registry() + "/v2/shop/web/manifests/abc123"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .header("Authorization", auth)
                .build(),
            HttpResponse.BodyHandlers.discarding());
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.headers().firstValue("Docker-Content-Digest"))
        .hasValue(web.manifestDigest().toString());
    assertThat(head.headers().firstValue("Content-Length")).hasValue("" + stored.length);
  }

  @Test
  void anIndexIsServedAsAnIndexAndItsManifestsAndBlobsByDigest() throws Exception {
    Descriptor child =
        Descriptor.of(
                MediaType.OCI_MANIFEST, web.manifestDigest(), store.blobSize(web.manifestDigest()))
            .withPlatform(web.config().platform());
    Descriptor index =
        store.putBlob(
            MediaType.OCI_INDEX,
            ImageJson.write(dev.stamp.runtime.image.ImageIndex.of(List.of(child))));
    store.tag(ImageReference.parse("shop/multi:1"), index);

    HttpResponse<byte[]> top = get("/v2/shop/multi/manifests/1", auth);
    assertThat(top.headers().firstValue("Content-Type")).hasValue(MediaType.OCI_INDEX);
    assertThat(top.headers().firstValue("Docker-Content-Digest"))
        .hasValue(index.digest().toString());
    assertThat(get("/v2/shop/multi/manifests/" + web.manifestDigest(), auth).statusCode())
        .isEqualTo(200);
    assertThat(get("/v2/shop/multi/blobs/" + web.layers().get(0).digest(), auth).statusCode())
        .isEqualTo(200);
  }

  @Test
  void blobsAreServedWholeAndBySingleRanges() throws Exception {
    Digest layer = web.layers().get(0).digest();
    byte[] all = store.readBlob(layer);
    HttpResponse<byte[]> whole = get("/v2/shop/web/blobs/" + layer, auth);
    assertThat(whole.statusCode()).isEqualTo(200);
    assertThat(whole.body()).isEqualTo(all);
    assertThat(whole.headers().firstValue("Docker-Content-Digest")).hasValue(layer.toString());
    assertThat(whole.headers().firstValue("Accept-Ranges")).hasValue("bytes");

    HttpResponse<Void> head =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://" + server.registry() + "/v2/shop/web/blobs/" + layer))
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .header("Authorization", auth)
                .build(),
            HttpResponse.BodyHandlers.discarding());
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.headers().firstValue("Content-Length")).hasValue("" + all.length);
    assertThat(server.stats().blobBytesSent()).isEqualTo(all.length); // the GET only

    HttpResponse<byte[]> part = get("/v2/shop/web/blobs/" + layer, auth, "Range", "bytes=10-19");
    assertThat(part.statusCode()).isEqualTo(206);
    assertThat(part.body()).isEqualTo(Arrays.copyOfRange(all, 10, 20));
    assertThat(part.headers().firstValue("Content-Range")).hasValue("bytes 10-19/" + all.length);

    HttpResponse<byte[]> tail = get("/v2/shop/web/blobs/" + layer, auth, "Range", "bytes=-5");
    assertThat(tail.statusCode()).isEqualTo(206);
    assertThat(tail.body()).isEqualTo(Arrays.copyOfRange(all, all.length - 5, all.length));

    HttpResponse<byte[]> from = get("/v2/shop/web/blobs/" + layer, auth, "Range", "bytes=7-");
    assertThat(from.body()).isEqualTo(Arrays.copyOfRange(all, 7, all.length));

    HttpResponse<byte[]> beyond =
        get("/v2/shop/web/blobs/" + layer, auth, "Range", "bytes=" + all.length + "-");
    assertThat(beyond.statusCode()).isEqualTo(416);
    assertThat(beyond.headers().firstValue("Content-Range")).hasValue("bytes */" + all.length);
  }

  @Test
  void aNameSeesOnlyWhatItsOwnTagsReach() throws Exception {
    // api's manifest, config and layer are valid, stored digests: not under shop/web
    assertThat(get("/v2/shop/web/manifests/" + api.manifestDigest(), auth).statusCode())
        .isEqualTo(404);
    HttpResponse<byte[]> config = get("/v2/shop/web/blobs/" + api.configDigest(), auth);
    assertThat(config.statusCode()).isEqualTo(404);
    assertThat(errorCode(config.body())).isEqualTo("BLOB_UNKNOWN");
    assertThat(get("/v2/shop/web/blobs/" + api.layers().get(0).digest(), auth).statusCode())
        .isEqualTo(404);
    // a manifest is not a blob of the name, a manifest digest is not a tag
    assertThat(get("/v2/shop/web/blobs/" + web.manifestDigest(), auth).statusCode()).isEqualTo(404);
    // an orphan blob in the store (no tag reaches it)
    byte[] orphan = "orphan".getBytes(StandardCharsets.UTF_8);
    Descriptor o = store.putBlob("application/octet-stream", orphan);
    assertThat(get("/v2/shop/web/blobs/" + o.digest(), auth).statusCode()).isEqualTo(404);

    HttpResponse<byte[]> tag = get("/v2/shop/web/manifests/nosuchtag", auth);
    assertThat(tag.statusCode()).isEqualTo(404);
    assertThat(errorCode(tag.body())).isEqualTo("MANIFEST_UNKNOWN");
    HttpResponse<byte[]> name = get("/v2/shop/nothing/manifests/abc123", auth);
    assertThat(name.statusCode()).isEqualTo(404);
    assertThat(errorCode(name.body())).isEqualTo("NAME_UNKNOWN");
    // a prefix of a name is not the name
    assertThat(get("/v2/shop/tags/list", auth).statusCode()).isEqualTo(404);
  }

  @Test
  void hostilePathsAreRefusedBeforeTheStoreIsAsked() throws Exception {
    Path canary = tmp.resolve("controller/canary.txt");
    Files.writeString(canary, "CANARY-SECRET-CONTENT");
    String hex = web.layers().get(0).digest().hex();
    List<String> targets =
        List.of(
            "/v2/shop/web/blobs/../../../canary.txt",
            "/v2/../../canary.txt",
            "/v2/shop/web/blobs/sha256:../../../../canary.txt",
            "/v2/shop/web/blobs/%2e%2e%2f%2e%2e%2fcanary.txt",
            "/v2/shop/%2e%2e/web/manifests/abc123",
            "/v2/shop/web/manifests/%2e%2e",
            "/v2/shop/web/blobs/sha256%3a" + hex,
            "/v2//etc/passwd/blobs/sha256:" + hex,
            "/v2/shop/web/blobs/" + canary.toAbsolutePath(),
            "/v2/" + "a/".repeat(200) + "web/manifests/abc123",
            "/v2/shop/web/blobs/sha512:" + "0".repeat(128),
            "/v2/shop/web/blobs/sha256:" + hex.toUpperCase(),
            "/v2/shop/web/blobs/sha256:" + hex.substring(1),
            "/v2/shop/web/blobs/md5:0123456789abcdef0123456789abcdef",
            "/v2/Shop/Web/manifests/abc123",
            "/v2/shop/web/manifests/..",
            "/v2/shop/web/manifests/abc123%00");
    for (String target : targets) {
      TestImages.Raw r = raw(port(), "GET", target, auth);
      assertThat(r.status()).as(target).isIn(400, 404);
      assertThat(r.text()).as(target).doesNotContain("CANARY").doesNotContain("root:x:");
    }
    // without credentials nothing is validated or looked up: every path gets the same 401
    for (String target : targets.subList(0, 4)) {
      assertThat(raw(port(), "GET", target, null).status()).as(target).isIn(400, 401);
    }
    assertThat(raw(port(), "GET", "/v2/Shop/Web/manifests/abc123", null).status()).isEqualTo(401);
    HttpResponse<byte[]> bad = get("/v2/shop/web/blobs/sha256:" + hex.substring(1), auth);
    assertThat(errorCode(bad.body())).isEqualTo("DIGEST_INVALID");
    HttpResponse<byte[]> upper = get("/v2/Shop/Web/manifests/abc123", auth);
    assertThat(errorCode(upper.body())).isEqualTo("NAME_INVALID");
  }

  @Test
  void everyWriteIsRefusedWithUnsupported() throws Exception {
    Digest layer = web.layers().get(0).digest();
    for (String[] call :
        List.of(
            new String[] {"POST", "/v2/shop/web/blobs/uploads/"},
            new String[] {"PUT", "/v2/shop/web/manifests/abc123"},
            new String[] {"PATCH", "/v2/shop/web/blobs/uploads/x"},
            new String[] {"DELETE", "/v2/shop/web/manifests/" + web.manifestDigest()},
            new String[] {"DELETE", "/v2/shop/web/blobs/" + layer},
            new String[] {"PUT", "/v2/shop/new/manifests/1"})) {
      TestImages.Raw r = raw(port(), call[0], call[1], auth);
      assertThat(r.status()).as("%s %s", call[0], call[1]).isEqualTo(405);
      assertThat(errorCode(r.body())).isEqualTo("UNSUPPORTED");
    }
    assertThat(store.hasBlob(layer)).isTrue();
    assertThat(store.resolve("shop/web:abc123").manifestDigest()).isEqualTo(web.manifestDigest());
  }

  @Test
  void tagsAreListedInOrderAndPaged() throws Exception {
    TestImages.sameBlobs(store, web, "shop/web:def456");
    TestImages.sameBlobs(store, web, "shop/web:aaa000");
    JsonNode all = json(get("/v2/shop/web/tags/list", auth));
    assertThat(all.path("name").asText()).isEqualTo("shop/web");
    assertThat(all.path("tags"))
        .extracting(JsonNode::asText)
        .containsExactly("aaa000", "abc123", "def456");

    HttpResponse<byte[]> first = get("/v2/shop/web/tags/list?n=2", auth);
    assertThat(json(first).path("tags"))
        .extracting(JsonNode::asText)
        .containsExactly("aaa000", "abc123");
    assertThat(first.headers().firstValue("Link"))
        .hasValue("</v2/shop/web/tags/list?n=2&last=abc123>; rel=\"next\"");
    HttpResponse<byte[]> next = get("/v2/shop/web/tags/list?n=2&last=abc123", auth);
    assertThat(json(next).path("tags")).extracting(JsonNode::asText).containsExactly("def456");
    assertThat(next.headers().firstValue("Link")).isEmpty();
    assertThat(json(get("/v2/shop/web/tags/list?n=0", auth)).path("tags")).isEmpty();
  }

  @Test
  void anonymousPullsOnlyOnLoopback() throws Exception {
    try (DistributionServer open =
        DistributionServer.start(
            store, new InetSocketAddress("127.0.0.1", 0), PullAccess.anonymousOnLoopback())) {
      ImageStore agentStore = TestImages.store(tmp.resolve("agent"));
      new ImagePuller(registries(null), agentStore)
          .pull(ImageReference.parse(open.registry() + "/shop/web:abc123"), TransferListener.NONE);
      assertThat(agentStore.resolve(open.registry() + "/shop/web:abc123").manifestDigest())
          .isEqualTo(web.manifestDigest());
    }
    assertThatThrownBy(
            () ->
                DistributionServer.start(
                    store, new InetSocketAddress("0.0.0.0", 0), PullAccess.anonymousOnLoopback()))
        .isInstanceOfSatisfying(
            ControllerException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(StampException.Kind.BAD_INPUT);
              assertThat(e.getMessage()).contains("loopback").contains("0.0.0.0");
            });
  }

  @Test
  void aTakenPortIsAConflict() {
    assertThatThrownBy(
            () ->
                DistributionServer.start(
                    store, new InetSocketAddress("127.0.0.1", port()), PullAccess.password(secret)))
        .isInstanceOfSatisfying(
            ControllerException.class,
            e -> assertThat(e.kind()).isEqualTo(StampException.Kind.CONFLICT));
  }
}
