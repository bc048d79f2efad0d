package dev.stamp.runtime.registry;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.binaryEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.head;
import static com.github.tomakehurst.wiremock.client.WireMock.headRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampException.Kind;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.image.Descriptor;
import dev.stamp.runtime.image.Digest;
import dev.stamp.runtime.image.Image;
import dev.stamp.runtime.image.ImageReference;
import dev.stamp.runtime.image.ImageStore;
import dev.stamp.runtime.image.MediaType;
import dev.stamp.runtime.registry.TransferListener.Status;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a local registry cannot show, against WireMock: token realms, 401 challenges, redirects,
 * flaky and slow answers, corrupted content.
 */
@Timeout(60)
class RegistryWireMockTest {

  @TempDir Path source;
  @TempDir Path root;
  @TempDir Path dockerConfig;

  WireMockServer wm;
  ImageStore store;
  Served image;

  /** An image's exact bytes as a registry would serve them. */
  record Served(
      Digest manifestDigest,
      byte[] manifest,
      Descriptor config,
      byte[] configBytes,
      Descriptor layer,
      byte[] layerBytes) {}

  @BeforeEach
  void start() throws Exception {
    wm = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    wm.start();
    store = ImageStore.open(new StampRoot(root));
    ImageStore src = ImageStore.open(new StampRoot(source));
    image = served(src, LocalImages.tagged(src, "x.test/app:1", "wiremock", 10_000));
  }

  /** What the stub registry serves of {@code src}'s image {@code x.test/app:1}. */
  static Served served(ImageStore src, Descriptor manifest) throws Exception {
    Image img = src.resolve("x.test/app:1");
    Descriptor layer = img.layers().get(0);
    return new Served(
        manifest.digest(),
        src.readBlob(manifest.digest()),
        img.manifest().config(),
        src.readBlob(img.configDigest()),
        layer,
        src.readBlob(layer.digest()));
  }

  @AfterEach
  void stop() {
    wm.stop();
  }

  String host() {
    return "127.0.0.1:" + wm.port();
  }

  String ref() {
    return host() + "/app:1";
  }

  static RegistryConfig config() {
    return RegistryConfig.DEFAULT.withRetry(
        new RetryPolicy(3, Duration.ofMillis(5), Duration.ofMillis(20)));
  }

  PullResult pull(Registries registries) throws HostRuntimeException {
    return new ImagePuller(registries, store)
        .pull(ImageReference.parse(ref()), TransferListener.NONE);
  }

  PullResult pull() throws HostRuntimeException {
    return pull(new Registries(config(), CredentialSource.NONE));
  }

  Registries withDockerLogin(String user, String password) throws Exception {
    String auth =
        Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    Files.writeString(
        dockerConfig.resolve("config.json"),
        "{\"auths\":{\"" + host() + "\":{\"auth\":\"" + auth + "\"}}}");
    return new Registries(
        config(),
        DockerConfigCredentials.fromEnvironment(Map.of("DOCKER_CONFIG", dockerConfig.toString())));
  }

  ResponseDefinitionBuilder manifestAnswer() {
    return aResponse()
        .withStatus(200)
        .withHeader("Content-Type", MediaType.OCI_MANIFEST)
        .withHeader("Docker-Content-Digest", image.manifestDigest().toString())
        .withBody(image.manifest());
  }

  MappingBuilder manifestGet() {
    return get(urlEqualTo("/v2/app/manifests/1"));
  }

  MappingBuilder blobGet(Descriptor blob) {
    return get(urlEqualTo("/v2/app/blobs/" + blob.digest()));
  }

  /** Serves the image to requests carrying {@code authorization} (or to all when null). */
  void serveImage(String authorization) {
    List<MappingBuilder> stubs =
        List.of(
            manifestGet().willReturn(manifestAnswer()),
            blobGet(image.config()).willReturn(aResponse().withBody(image.configBytes())),
            blobGet(image.layer()).willReturn(aResponse().withBody(image.layerBytes())));
    for (MappingBuilder stub : stubs) {
      if (authorization != null) {
        stub.withHeader("Authorization", equalTo(authorization));
      }
      wm.stubFor(stub.atPriority(1));
    }
  }

  void challengeEverything(String challenge) {
    wm.stubFor(
        get(urlMatching("/v2/.*"))
            .atPriority(10)
            .willReturn(
                aResponse()
                    .withStatus(401)
                    .withHeader("WWW-Authenticate", challenge)
                    .withHeader("Content-Type", "application/json")
                    .withBody(
                        "{\"errors\":[{\"code\":\"UNAUTHORIZED\","
                            + "\"message\":\"authentication required\"}]}")));
  }

  String bearerChallenge() {
    return "Bearer realm=\"http://"
        + host()
        + "/token\",service=\"wm.test\",scope=\"repository:app:pull\"";
  }

  static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  void assertNothingStored() throws Exception {
    assertThat(store.list()).isEmpty();
    assertThat(RegistryIT.blobFiles(root))
        .as("no blob and no temp file in the store")
        .noneMatch(
            p ->
                p.getFileName().toString().equals(image.layer().digest().hex())
                    || p.getParent().getFileName().toString().equals("tmp"));
  }

  // --- auth ---

  @Test
  void bearerChallengeFetchesATokenWithBasicCredentialsAndRetriesWithIt() throws Exception {
    challengeEverything(bearerChallenge());
    wm.stubFor(
        get(urlPathEqualTo("/token"))
            .withQueryParam("service", equalTo("wm.test"))
            .withQueryParam("scope", equalTo("repository:app:pull"))
            .withHeader("Authorization", equalTo(basic("alice", "pw")))
            .willReturn(okJson("{\"token\":\"tok-1\",\"expires_in\":300}")));
    serveImage("Bearer tok-1");

    PullResult pulled = pull(withDockerLogin("alice", "pw"));

    assertThat(pulled.image().manifestDigest()).isEqualTo(image.manifestDigest());
    wm.verify(1, getRequestedFor(urlPathEqualTo("/token")));
    wm.verify(
        getRequestedFor(urlEqualTo("/v2/app/blobs/" + image.layer().digest()))
            .withHeader("Authorization", equalTo("Bearer tok-1")));
  }

  @Test
  void anonymousTokenFromAccessTokenIsCachedAcrossPulls() throws Exception {
    challengeEverything(bearerChallenge());
    wm.stubFor(
        get(urlPathEqualTo("/token"))
            .willReturn(okJson("{\"access_token\":\"anon\",\"expires_in\":300}")));
    serveImage("Bearer anon");
    Registries registries = new Registries(config(), CredentialSource.NONE);

    pull(registries);
    store.untag(ImageReference.parse(ref()));
    pull(registries);

    wm.verify(1, getRequestedFor(urlPathEqualTo("/token")).withoutHeader("Authorization"));
    assertThat(store.resolve(ref()).manifestDigest()).isEqualTo(image.manifestDigest());
  }

  @Test
  void identityTokenIsExchangedByOauthRefresh() throws Exception {
    challengeEverything(bearerChallenge());
    Files.writeString(
        dockerConfig.resolve("config.json"),
        "{\"auths\":{\"" + host() + "\":{\"identitytoken\":\"refresh-123\"}}}");
    wm.stubFor(
        post(urlPathEqualTo("/token"))
            .withRequestBody(containing("grant_type=refresh_token"))
            .withRequestBody(containing("refresh_token=refresh-123"))
            .withRequestBody(containing("scope=repository%3Aapp%3Apull"))
            .willReturn(okJson("{\"access_token\":\"from-refresh\"}")));
    serveImage("Bearer from-refresh");

    pull(
        new Registries(
            config(),
            DockerConfigCredentials.fromEnvironment(
                Map.of("DOCKER_CONFIG", dockerConfig.toString()))));
    wm.verify(1, postRequestedFor(urlPathEqualTo("/token")));
  }

  @Test
  void basicChallengeIsAnsweredWithCredentialsFromDockerConfig() throws Exception {
    challengeEverything("Basic realm=\"wm\"");
    serveImage(basic("bob", "hunter2"));
    assertThat(pull(withDockerLogin("bob", "hunter2")).image().manifestDigest())
        .isEqualTo(image.manifestDigest());
  }

  @Test
  void refusedCredentialsGiveTheTokenServersMessageAndStoreNothing() throws Exception {
    challengeEverything(bearerChallenge());
    wm.stubFor(
        get(urlPathEqualTo("/token"))
            .willReturn(
                aResponse()
                    .withStatus(401)
                    .withHeader("Content-Type", "application/json")
                    .withBody("{\"details\":\"incorrect username or password\"}")));
    serveImage("Bearer never");

    assertThatThrownBy(() -> pull(withDockerLogin("alice", "wrong")))
        .hasMessage("pull " + ref() + ": UNAUTHORIZED: incorrect username or password")
        .satisfies(e -> assertThat(((HostRuntimeException) e).kind()).isEqualTo(Kind.BAD_INPUT));
    wm.verify(1, getRequestedFor(urlPathEqualTo("/token")));
    assertNothingStored();
  }

  @Test
  void aRefusedBasicLoginReportsTheRegistrysOwnMessage() throws Exception {
    challengeEverything("Basic realm=\"wm\"");
    serveImage(basic("bob", "right"));
    assertThatThrownBy(() -> pull(withDockerLogin("bob", "wrong")))
        .hasMessage("pull " + ref() + ": UNAUTHORIZED: authentication required");
    wm.verify(2, getRequestedFor(urlEqualTo("/v2/app/manifests/1")));
    assertNothingStored();
  }

  @Test
  void aPlainHttpTokenRealmOnAnotherHostIsRefused() throws Exception {
    challengeEverything("Bearer realm=\"http://auth.example/token\",service=\"x\"");
    assertThatThrownBy(() -> pull())
        .hasMessageContaining(
            "names the token realm \"http://auth.example/token\", which is not https");
  }

  // --- failures and retries ---

  @Test
  void blobNotFoundIsNotFoundAndNothingIsTagged() throws Exception {
    serveImage(null);
    wm.stubFor(
        blobGet(image.layer())
            .atPriority(0)
            .willReturn(
                aResponse()
                    .withStatus(404)
                    .withHeader("Content-Type", "application/json")
                    .withBody(
                        "{\"errors\":[{\"code\":\"BLOB_UNKNOWN\","
                            + "\"message\":\"blob unknown to registry\"}]}")));
    assertThatThrownBy(this::pull)
        .hasMessage(
            "pull "
                + ref()
                + ": blob "
                + image.layer().digest()
                + ": BLOB_UNKNOWN: blob unknown to registry")
        .satisfies(e -> assertThat(((HostRuntimeException) e).kind()).isEqualTo(Kind.NOT_FOUND));
    wm.verify(1, getRequestedFor(urlEqualTo("/v2/app/blobs/" + image.layer().digest())));
    assertNothingStored();
  }

  @Test
  void whenOneDownloadFailsTheOthersAreStoppedAndLeaveNoTempFile() throws Exception {
    serveImage(null);
    wm.stubFor(
        blobGet(image.config())
            .atPriority(0)
            .willReturn(
                aResponse().withBody(image.configBytes()).withChunkedDribbleDelay(8, 8000)));
    wm.stubFor(blobGet(image.layer()).atPriority(0).willReturn(aResponse().withStatus(404)));
    assertThatThrownBy(this::pull)
        .hasMessageContaining("blob " + image.layer().digest() + ": BLOB_UNKNOWN");
    assertThat(RegistryIT.blobFiles(root)).isEmpty();
    assertThat(store.list()).isEmpty();
  }

  @Test
  void serverErrorsAndRateLimitsAreRetriedUntilTheyPass() throws Exception {
    serveImage(null);
    wm.stubFor(
        manifestGet()
            .atPriority(0)
            .inScenario("flaky manifest")
            .whenScenarioStateIs(STARTED)
            .willReturn(aResponse().withStatus(500).withBody("upstream hiccup"))
            .willSetStateTo("ok"));
    wm.stubFor(
        blobGet(image.layer())
            .atPriority(0)
            .inScenario("rate limited blob")
            .whenScenarioStateIs(STARTED)
            .willReturn(aResponse().withStatus(429))
            .willSetStateTo("ok"));
    wm.stubFor(
        manifestGet()
            .atPriority(0)
            .inScenario("flaky manifest")
            .whenScenarioStateIs("ok")
            .willReturn(manifestAnswer()));
    wm.stubFor(
        blobGet(image.layer())
            .atPriority(0)
            .inScenario("rate limited blob")
            .whenScenarioStateIs("ok")
            .willReturn(aResponse().withBody(image.layerBytes())));

    assertThat(pull().image().manifestDigest()).isEqualTo(image.manifestDigest());
    wm.verify(2, getRequestedFor(urlEqualTo("/v2/app/manifests/1")));
    wm.verify(2, getRequestedFor(urlEqualTo("/v2/app/blobs/" + image.layer().digest())));
  }

  @Test
  void persistentServerErrorGivesUpAfterTheAttemptsWithTheRegistrysText() throws Exception {
    wm.stubFor(manifestGet().willReturn(aResponse().withStatus(503).withBody("down for upgrade")));
    assertThatThrownBy(this::pull)
        .hasMessage("pull " + ref() + ": UNKNOWN: down for upgrade (after 3 attempts)")
        .satisfies(e -> assertThat(((HostRuntimeException) e).kind()).isEqualTo(Kind.FAILED));
    wm.verify(3, getRequestedFor(urlEqualTo("/v2/app/manifests/1")));
  }

  @Test
  void clientErrorsAreNeverRetried() throws Exception {
    wm.stubFor(
        manifestGet()
            .willReturn(
                aResponse()
                    .withStatus(400)
                    .withHeader("Content-Type", "application/json")
                    .withBody(
                        "{\"errors\":[{\"code\":\"NAME_INVALID\","
                            + "\"message\":\"invalid repository name\"}]}")));
    assertThatThrownBy(this::pull)
        .hasMessage("pull " + ref() + ": NAME_INVALID: invalid repository name")
        .satisfies(e -> assertThat(((HostRuntimeException) e).kind()).isEqualTo(Kind.BAD_INPUT));
    wm.verify(1, getRequestedFor(urlEqualTo("/v2/app/manifests/1")));
  }

  @Test
  void slowAnswersTimeOutAreRetriedAndThenFail() throws Exception {
    wm.stubFor(manifestGet().willReturn(manifestAnswer().withFixedDelay(2000)));
    Registries impatient =
        new Registries(
            config()
                .withTimeouts(Duration.ofSeconds(1), Duration.ofMillis(200), Duration.ofSeconds(1)),
            CredentialSource.NONE);
    assertThatThrownBy(() -> pull(impatient))
        .hasMessage(
            "pull "
                + ref()
                + ": timed out after 200ms waiting for an answer from "
                + host()
                + " (after 3 attempts)")
        .satisfies(e -> assertThat(((HostRuntimeException) e).kind()).isEqualTo(Kind.FAILED));
    wm.verify(3, getRequestedFor(urlEqualTo("/v2/app/manifests/1")));
  }

  @Test
  void aBodyThatStallsTimesOutIsRetriedAndLeavesNoPartialBlob() throws Exception {
    serveImage(null);
    wm.stubFor(
        blobGet(image.layer())
            .atPriority(0)
            .inScenario("stalling blob")
            .whenScenarioStateIs(STARTED)
            .willReturn(aResponse().withBody(image.layerBytes()).withChunkedDribbleDelay(4, 4000))
            .willSetStateTo("fast"));
    wm.stubFor(
        blobGet(image.layer())
            .atPriority(0)
            .inScenario("stalling blob")
            .whenScenarioStateIs("fast")
            .willReturn(aResponse().withBody(image.layerBytes())));
    Registries impatient =
        new Registries(
            config()
                .withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofMillis(300)),
            CredentialSource.NONE);
    assertThat(pull(impatient).image().manifestDigest()).isEqualTo(image.manifestDigest());
    wm.verify(2, getRequestedFor(urlEqualTo("/v2/app/blobs/" + image.layer().digest())));
    assertThat(RegistryIT.blobFiles(root))
        .noneMatch(p -> p.getParent().getFileName().toString().equals("tmp"));
  }

  @Test
  void aBlobThatDoesNotMatchItsDigestIsRefusedAndNotStored() throws Exception {
    serveImage(null);
    byte[] corrupt = image.layerBytes().clone();
    corrupt[corrupt.length / 2] ^= 0x5a;
    wm.stubFor(blobGet(image.layer()).atPriority(0).willReturn(aResponse().withBody(corrupt)));
    assertThatThrownBy(this::pull)
        .hasMessageStartingWith(
            "pull " + ref() + ": blob " + image.layer().digest() + ": store blob ")
        .hasMessageContaining("content digest is " + Digest.of(corrupt))
        .satisfies(e -> assertThat(((HostRuntimeException) e).kind()).isEqualTo(Kind.FAILED));
    wm.verify(1, getRequestedFor(urlEqualTo("/v2/app/blobs/" + image.layer().digest())));
    assertNothingStored();
  }

  /** Past 1 MiB the digest is libcrypto's, fed in place from the store's direct buffer. */
  @Test
  void aLargeBlobThatDoesNotMatchItsDigestIsRefusedAndNotStoredAndTheIntactOneIsStored(
      @TempDir Path bigSource) throws Exception {
    ImageStore src = ImageStore.open(new StampRoot(bigSource));
    image = served(src, LocalImages.tagged(src, "x.test/app:1", "large", (3 << 20) + 1));
    assertThat(image.layer().size()).isGreaterThan(3 << 20);
    serveImage(null);
    byte[] corrupt = image.layerBytes().clone();
    corrupt[corrupt.length - 2] ^= 0x01;
    wm.stubFor(blobGet(image.layer()).atPriority(0).willReturn(aResponse().withBody(corrupt)));

    assertThatThrownBy(this::pull)
        .hasMessageContaining("content digest is " + Digest.of(corrupt))
        .satisfies(e -> assertThat(((HostRuntimeException) e).kind()).isEqualTo(Kind.FAILED));
    assertNothingStored();

    wm.resetAll();
    serveImage(null);
    pull();
    assertThat(store.readBlob(image.layer().digest())).isEqualTo(image.layerBytes());
  }

  @Test
  void aBlobLongerThanItsDescriptorIsCutOff() throws Exception {
    serveImage(null);
    byte[] longer = java.util.Arrays.copyOf(image.layerBytes(), image.layerBytes().length + 10);
    wm.stubFor(blobGet(image.layer()).atPriority(0).willReturn(aResponse().withBody(longer)));
    assertThatThrownBy(this::pull)
        .hasMessageContaining("the registry sent more than the " + image.layer().size() + " bytes");
    assertNothingStored();
  }

  @Test
  void aManifestWhoseDigestHeaderLiesIsRefused() throws Exception {
    serveImage(null);
    Digest other = Digest.of("something else".getBytes(StandardCharsets.UTF_8));
    wm.stubFor(
        manifestGet()
            .atPriority(0)
            .willReturn(
                aResponse()
                    .withHeader("Content-Type", MediaType.OCI_MANIFEST)
                    .withHeader("Docker-Content-Digest", other.toString())
                    .withBody(image.manifest())));
    assertThatThrownBy(this::pull)
        .hasMessageContaining("content hashes to " + image.manifestDigest() + ", not " + other)
        .satisfies(e -> assertThat(((HostRuntimeException) e).kind()).isEqualTo(Kind.FAILED));
    assertNothingStored();
  }

  @Test
  void aManifestPulledByDigestMustHaveThatDigest() throws Exception {
    Digest wanted = Digest.of("another manifest".getBytes(StandardCharsets.UTF_8));
    wm.stubFor(
        get(urlEqualTo("/v2/app/manifests/" + wanted))
            .willReturn(
                aResponse()
                    .withHeader("Content-Type", MediaType.OCI_MANIFEST)
                    .withBody(image.manifest())));
    assertThatThrownBy(
            () ->
                new ImagePuller(new Registries(config(), CredentialSource.NONE), store)
                    .pull(ImageReference.parse(host() + "/app@" + wanted), TransferListener.NONE))
        .hasMessageContaining("content hashes to " + image.manifestDigest() + ", not " + wanted);
  }

  // --- no-op pull ---

  MappingBuilder manifestHead() {
    return head(urlEqualTo("/v2/app/manifests/1"));
  }

  void assertNoBlobRequest() {
    wm.verify(0, getRequestedFor(urlMatching("/v2/app/blobs/.*")));
    wm.verify(0, headRequestedFor(urlMatching("/v2/app/blobs/.*")));
  }

  @Test
  void aRepeatedPullAsksOnlyForTheManifestDigestAndTouchesNoBlob() throws Exception {
    serveImage(null);
    wm.stubFor(
        manifestHead()
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("Content-Type", MediaType.OCI_MANIFEST)
                    .withHeader("Docker-Content-Digest", image.manifestDigest().toString())));
    assertThat(pull().blobsPulled()).isEqualTo(2);
    wm.resetRequests();

    PullResult again = pull();

    assertThat(again.upToDate()).isTrue();
    assertThat(again.remoteDigest()).isEqualTo(image.manifestDigest());
    assertThat(again.blobsPulled()).isZero();
    assertNoBlobRequest();
    wm.verify(0, getRequestedFor(urlMatching("/v2/app/manifests/.*")));
    wm.verify(1, headRequestedFor(urlEqualTo("/v2/app/manifests/1")));
    assertThat(again.image().manifestDigest()).isEqualTo(image.manifestDigest());
    assertThat(again.blobs()).extracting(BlobTransfer::status).containsOnly(Status.EXISTS);
  }

  @Test
  void aRepeatedPullFromARegistryThatChallengesAnswersTheHeadWithATokenAndTouchesNoBlob()
      throws Exception {
    challengeEverything(bearerChallenge());
    wm.stubFor(
        head(urlMatching("/v2/.*"))
            .atPriority(10)
            .willReturn(
                aResponse().withStatus(401).withHeader("WWW-Authenticate", bearerChallenge())));
    wm.stubFor(get(urlPathEqualTo("/token")).willReturn(okJson("{\"token\":\"t1\"}")));
    serveImage("Bearer t1");
    wm.stubFor(
        manifestHead()
            .withHeader("Authorization", equalTo("Bearer t1"))
            .atPriority(1)
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("Docker-Content-Digest", image.manifestDigest().toString())));
    pull();
    wm.resetRequests();

    PullResult again = pull(); // a fresh Registries, as a new process has: the probe meets a 401

    assertThat(again.upToDate()).isTrue();
    assertNoBlobRequest();
    wm.verify(0, getRequestedFor(urlMatching("/v2/app/manifests/.*")));
    wm.verify(
        1,
        headRequestedFor(urlEqualTo("/v2/app/manifests/1"))
            .withHeader("Authorization", equalTo("Bearer t1")));
  }

  @Test
  void aRegistryThatAnswersHeadWithoutADigestIsAskedWithGetAndStillNoBlobIsFetched()
      throws Exception {
    serveImage(null);
    wm.stubFor(manifestHead().willReturn(aResponse().withStatus(200)));
    pull();
    wm.resetRequests();

    PullResult again = pull();

    assertThat(again.upToDate()).isFalse();
    assertThat(again.blobsPulled()).isZero();
    assertNoBlobRequest();
    wm.verify(1, getRequestedFor(urlEqualTo("/v2/app/manifests/1")));
  }

  @Test
  void aDigestReferenceTheStoreHoldsIsNotAskedForAtAll() throws Exception {
    serveImage(null);
    wm.stubFor(
        get(urlEqualTo("/v2/app/manifests/" + image.manifestDigest()))
            .willReturn(manifestAnswer()));
    ImageReference byDigest = ImageReference.parse(host() + "/app@" + image.manifestDigest());
    Registries registries = new Registries(config(), CredentialSource.NONE);
    new ImagePuller(registries, store).pull(byDigest, TransferListener.NONE);
    wm.resetRequests();

    PullResult again = new ImagePuller(registries, store).pull(byDigest, TransferListener.NONE);

    assertThat(again.upToDate()).isTrue();
    assertThat(wm.getAllServeEvents()).isEmpty();
  }

  // --- push ---

  @Test
  void aFailedUploadIsRestartedFromAFreshSessionAndManifestsGoLast() throws Exception {
    ImageStore local = ImageStore.open(new StampRoot(source));
    local.tag(
        ImageReference.parse(ref()),
        Descriptor.of(MediaType.OCI_MANIFEST, image.manifestDigest(), image.manifest().length));
    wm.stubFor(head(urlMatching("/v2/app/blobs/.*")).willReturn(aResponse().withStatus(404)));
    wm.stubFor(
        post(urlEqualTo("/v2/app/blobs/uploads/"))
            .willReturn(
                aResponse().withStatus(202).withHeader("Location", "/upload/session?_state=s1")));
    // only the layer's upload fails once: the config's runs beside it (blobs go in parallel), and
    // a scenario both raced through could leave one request matching no stub while its state moves
    String layer = image.layer().digest().toString();
    wm.stubFor(
        put(com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo("/upload/session"))
            .withQueryParam("digest", equalTo(image.config().digest().toString()))
            .willReturn(aResponse().withStatus(201)));
    wm.stubFor(
        put(com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo("/upload/session"))
            .withQueryParam("digest", equalTo(layer))
            .inScenario("flaky upload")
            .whenScenarioStateIs(STARTED)
            .willReturn(aResponse().withStatus(502))
            .willSetStateTo("ok"));
    wm.stubFor(
        put(com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo("/upload/session"))
            .withQueryParam("digest", equalTo(layer))
            .inScenario("flaky upload")
            .whenScenarioStateIs("ok")
            .willReturn(aResponse().withStatus(201)));
    wm.stubFor(
        put(urlEqualTo("/v2/app/manifests/1"))
            .willReturn(
                aResponse()
                    .withStatus(201)
                    .withHeader("Docker-Content-Digest", image.manifestDigest().toString())));

    PushResult pushed =
        new ImagePusher(new Registries(config(), CredentialSource.NONE), local)
            .push(ImageReference.parse(ref()), TransferListener.NONE);

    assertThat(pushed.digest()).isEqualTo(image.manifestDigest());
    // layer: POST, PUT (502), POST again, PUT (201); then config: POST, PUT (201)
    wm.verify(3, postRequestedFor(urlEqualTo("/v2/app/blobs/uploads/")));
    wm.verify(
        putRequestedFor(
                com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo("/upload/session"))
            .withQueryParam("_state", equalTo("s1"))
            .withQueryParam("digest", equalTo(image.layer().digest().toString()))
            .withHeader("Content-Type", equalTo("application/octet-stream")));
    wm.verify(
        putRequestedFor(urlEqualTo("/v2/app/manifests/1"))
            .withHeader("Content-Type", equalTo(MediaType.OCI_MANIFEST))
            .withRequestBody(binaryEqualTo(image.manifest())));
    List<String> order =
        wm.getAllServeEvents().stream()
            .map(e -> e.getRequest().getMethod() + " " + e.getRequest().getUrl())
            .toList();
    assertThat(order.get(0)).startsWith("PUT /v2/app/manifests/1"); // newest first
  }

  // --- redirects and listings ---

  @Test
  void aRedirectToAnotherHostIsFollowedWithoutCredentials() throws Exception {
    challengeEverything("Basic realm=\"wm\"");
    serveImage(basic("bob", "pw"));
    String storage = "http://localhost:" + wm.port() + "/storage/layer";
    wm.stubFor(
        blobGet(image.layer())
            .atPriority(0)
            .withHeader("Authorization", equalTo(basic("bob", "pw")))
            .willReturn(aResponse().withStatus(307).withHeader("Location", storage)));
    wm.stubFor(
        get(urlEqualTo("/storage/layer")).willReturn(aResponse().withBody(image.layerBytes())));

    pull(withDockerLogin("bob", "pw"));
    wm.verify(1, getRequestedFor(urlEqualTo("/storage/layer")).withoutHeader("Authorization"));
  }

  @Test
  void catalogFollowsLinkPages() throws Exception {
    wm.stubFor(
        get(urlEqualTo("/v2/_catalog?n=100"))
            .willReturn(
                okJson("{\"repositories\":[\"a\",\"b\"]}")
                    .withHeader("Link", "</v2/_catalog?last=b&n=100>; rel=\"next\"")));
    wm.stubFor(
        get(urlEqualTo("/v2/_catalog?last=b&n=100"))
            .willReturn(okJson("{\"repositories\":[\"c\"]}")));
    Registries registries = new Registries(config(), CredentialSource.NONE);
    assertThat(registries.catalogClient(host(), "search").listRepositories())
        .containsExactly("a", "b", "c");
  }
}
