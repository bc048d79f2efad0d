package dev.stamp.controller.distribution;

import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.image.Descriptor;
import dev.stamp.runtime.image.Image;
import dev.stamp.runtime.image.ImageManifest;
import dev.stamp.runtime.image.ImageReference;
import dev.stamp.runtime.image.ImageStore;
import dev.stamp.runtime.layer.RootfsImporter;
import dev.stamp.testkit.BusyboxRootfs;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Small images for the endpoint's tests, written into a store with Stamp's own importer (a one-file
 * layer each), and a raw HTTP/1.1 client that sends a request line exactly as given (no URI
 * normalisation: what a hostile client sends).
 */
final class TestImages {

  private TestImages() {}

  /** A store under {@code dir}. */
  static ImageStore store(Path dir) throws Exception {
    return ImageStore.open(new StampRoot(dir));
  }

  /** A one-layer image holding {@code /hello.txt} = {@code content}, tagged {@code ref}. */
  static Image oneFile(ImageStore store, Path scratch, String ref, String content)
      throws Exception {
    Path dir = Files.createTempDirectory(scratch, "layer-");
    Files.writeString(dir.resolve("hello.txt"), content);
    Path tar = BusyboxRootfs.tar(dir, Files.createTempFile(scratch, "layer-", ".tar"));
    return new RootfsImporter(store, Map.of()).importTar(tar, ImageReference.parse(ref), List.of());
  }

  /**
   * Another manifest for {@code image}'s config and layers (an annotation makes it differ), tagged
   * {@code ref}: an image whose blobs a puller of {@code image} already has.
   */
  static Descriptor sameBlobs(ImageStore store, Image image, String ref) throws Exception {
    ImageManifest other =
        new ImageManifest(
            2,
            image.manifest().mediaType(),
            image.manifest().config(),
            image.layers(),
            Map.of("org.opencontainers.image.revision", ref));
    Descriptor d = store.putManifest(other);
    store.tag(ImageReference.parse(ref), d);
    return d;
  }

  static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  /** One answer of {@link #raw}: status, raw header block, body. */
  record Raw(int status, String headers, byte[] body) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /** Sends {@code METHOD target HTTP/1.1} verbatim to 127.0.0.1:{@code port}. */
  static Raw raw(int port, String method, String target, String authorization, String... headers)
      throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      String request =
          method
              + " "
              + target
              + " HTTP/1.1\r\nHost: 127.0.0.1:"
              + port
              + "\r\n"
              + (authorization == null ? "" : "Authorization: " + authorization + "\r\n")
              + String.join("", Arrays.stream(headers).map(h -> h + "\r\n").toList())
              + "Content-Length: 0\r\nConnection: close\r\n\r\n";
      s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      byte[] all;
      try (InputStream in = s.getInputStream()) {
        all = in.readAllBytes();
      }
      String text = new String(all, StandardCharsets.ISO_8859_1);
      int end = text.indexOf("\r\n\r\n");
      String head = end < 0 ? text : text.substring(0, end);
      byte[] body = end < 0 ? new byte[0] : java.util.Arrays.copyOfRange(all, end + 4, all.length);
      int status = Integer.parseInt(head.substring(9, 12));
      return new Raw(status, head, body);
    }
  }
}
