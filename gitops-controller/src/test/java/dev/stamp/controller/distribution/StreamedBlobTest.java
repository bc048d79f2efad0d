package dev.stamp.controller.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stamp.runtime.image.Digest;
import dev.stamp.runtime.image.Image;
import dev.stamp.runtime.image.ImageStore;
import java.nio.file.Path;
import java.util.Arrays;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Blobs over the mapping limit are streamed from their file: whole and by range, same bytes. */
class StreamedBlobTest {

  @TempDir Path tmp;

  @Test
  void aStreamedBlobIsSentWholeAndByRange() throws Exception {
    ImageStore store = TestImages.store(tmp.resolve("controller"));
    Image web = TestImages.oneFile(store, tmp, "shop/web:abc123", "x".repeat(300_000));
    Digest layer = web.layers().get(0).digest();
    byte[] all = store.readBlob(layer);
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    server.addConnector(connector);
    server.setHandler(
        new DistributionHandler(new StoreView(store), PullAccess.anonymousOnLoopback(), 0));
    server.start();
    try {
      int port = connector.getLocalPort();
      TestImages.Raw whole = TestImages.raw(port, "GET", "/v2/shop/web/blobs/" + layer, null);
      assertThat(whole.status()).isEqualTo(200);
      assertThat(whole.body()).isEqualTo(all);
      assertThat(Digest.of(whole.body())).isEqualTo(layer);
      TestImages.Raw part =
          TestImages.raw(port, "GET", "/v2/shop/web/blobs/" + layer, null, "Range: bytes=100-199");
      assertThat(part.status()).isEqualTo(206);
      assertThat(part.body()).isEqualTo(Arrays.copyOfRange(all, 100, 200));
    } finally {
      server.stop();
    }
  }
}
