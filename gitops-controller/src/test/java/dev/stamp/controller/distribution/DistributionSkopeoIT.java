package dev.stamp.controller.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stamp.runtime.image.Descriptor;
import dev.stamp.runtime.image.Image;
import dev.stamp.runtime.image.ImageJson;
import dev.stamp.runtime.image.ImageStore;
import dev.stamp.testkit.HostCommand;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A client Stamp did not write (skopeo) reads the endpoint: proof that it speaks the spec. */
class DistributionSkopeoIT {

  static final Path SKOPEO = Path.of("/usr/bin/skopeo");

  @TempDir Path tmp;
  ImageStore store;
  Image web;
  PullSecret secret;
  DistributionServer server;
  Path noAuth;

  @BeforeEach
  void start() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(SKOPEO), "skipped: needs skopeo (Debian package)");
    store = TestImages.store(tmp.resolve("controller"));
    web = TestImages.oneFile(store, tmp, "shop/web:abc123", "hello from web\n");
    secret = PullSecret.generate();
    server =
        DistributionServer.start(
            store, new InetSocketAddress("127.0.0.1", 0), PullAccess.password(secret));
    noAuth = Files.writeString(tmp.resolve("auth.json"), "{}"); // no user credentials leak in
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  HostCommand.Result skopeo(boolean withCreds, String... args) {
    List<String> argv = new ArrayList<>(List.of(SKOPEO.toString(), "--insecure-policy"));
    argv.add(args[0]);
    argv.addAll(List.of("--authfile", noAuth.toString()));
    if (withCreds) {
      argv.addAll(
          List.of(args[0].equals("copy") ? "--src-creds" : "--creds", "stamp:" + secret.reveal()));
    }
    argv.addAll(List.of(args).subList(1, args.length));
    return HostCommand.run(Duration.ofSeconds(120), null, argv);
  }

  @Test
  void skopeoInspectsWithTheCredentialsAndIsRefusedWithout() throws Exception {
    String ref = "docker://" + server.registry() + "/shop/web:abc123";

    JsonNode inspected =
        ImageJson.mapper().readTree(skopeo(true, "inspect", "--tls-verify=false", ref).ok());
    assertThat(inspected.path("Digest").asText()).isEqualTo(web.manifestDigest().toString());
    assertThat(inspected.path("Layers").get(0).asText())
        .isEqualTo(web.layers().get(0).digest().toString());

    HostCommand.Result refused = skopeo(false, "inspect", "--tls-verify=false", ref);
    assertThat(refused.code()).isNotZero();
    assertThat(refused.err().toLowerCase()).contains("unauthorized");
  }

  @Test
  void skopeoCopiesTheImageIntoAnOciLayoutByteForByte() throws Exception {
    Path layout = tmp.resolve("copied");
    String src = "docker://" + server.registry() + "/shop/web:abc123";

    skopeo(true, "copy", "--src-tls-verify=false", src, "oci:" + layout + ":abc123").ok();

    JsonNode index = ImageJson.mapper().readTree(layout.resolve("index.json").toFile());
    assertThat(index.path("manifests").get(0).path("digest").asText())
        .isEqualTo(web.manifestDigest().toString());
    for (Descriptor blob : List.of(web.manifest().config(), web.layers().get(0))) {
      assertThat(layout.resolve("blobs/sha256/" + blob.digest().hex()))
          .hasBinaryContent(store.readBlob(blob.digest()));
    }
    HostCommand.Result refused =
        skopeo(false, "copy", "--src-tls-verify=false", src, "oci:" + tmp.resolve("no") + ":x");
    assertThat(refused.code()).isNotZero();
  }
}
