package dev.stamp.builder.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.stamp.builder.BuildException;
import dev.stamp.runtime.StampException;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.image.Digest;
import dev.stamp.runtime.image.ImageReference;
import dev.stamp.runtime.image.ImageStore;
import dev.stamp.runtime.layer.TarEntry;
import dev.stamp.runtime.layer.TarWriter;
import dev.stamp.testkit.RequiresRoot;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ADD of http URLs against a real HTTP server on 127.0.0.1 that counts its requests. */
@RequiresRoot
class AddUrlIT {

  @TempDir Path tmp;

  private HttpServer server;
  private String base;
  private StampRoot root;
  private final Map<String, Deque<Answer>> answers = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();

  /** One canned answer; the last one for a path repeats. */
  record Answer(int status, byte[] body) {}

  @BeforeEach
  void start() throws IOException {
    root = new StampRoot(tmp.resolve("root"));
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.start();
    base = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private void handle(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath();
    requests.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
    Deque<Answer> queue = answers.get(path);
    Answer a;
    synchronized (this) {
      a =
          queue == null
              ? new Answer(404, new byte[0])
              : queue.size() > 1 ? queue.poll() : queue.peek();
    }
    ex.getResponseHeaders().add("Last-Modified", "Wed, 21 Oct 2015 07:28:00 GMT");
    ex.sendResponseHeaders(a.status(), a.body().length == 0 ? -1 : a.body().length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(a.body());
    }
  }

  private void serve(String path, Answer... sequence) {
    answers.put(path, new ArrayDeque<>(List.of(sequence)));
  }

  private void serve(String path, String body) {
    serve(path, new Answer(200, body.getBytes(StandardCharsets.UTF_8)));
  }

  private int requests(String path) {
    AtomicInteger n = requests.get(path);
    return n == null ? 0 : n.get();
  }

  private Path context(String dockerfile) throws IOException {
    Path ctx = Files.createTempDirectory(tmp, "ctx");
    Files.writeString(ctx.resolve("Dockerfile"), dockerfile);
    return ctx;
  }

  private BuildResult build(Path ctx) throws BuildException {
    return ImageBuilder.open(root).build(BuildRequest.of(ctx), Progress.NONE);
  }

  private Path rootfs(BuildResult result) throws Exception {
    Path rootfs = Files.createTempDirectory(tmp, "unpacked").resolve("rootfs");
    ImageBuilderIT.unpackTo(root, result, rootfs);
    return rootfs;
  }

  private static List<Boolean> cached(BuildResult result) {
    List<Boolean> out = new ArrayList<>();
    for (StepReport s : result.steps()) {
      if (s.text().startsWith("ADD")) {
        out.add(s.cached());
      }
    }
    return out;
  }

  private static String sha256(byte[] data) {
    return Digest.of(data).toString();
  }

  private static int mode(Path p) throws IOException {
    return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
  }

  @Test
  void urlIntoADirectoryTakesItsLastSegmentAndIntoAFileNameTakesThatName() throws Exception {
    serve("/files/hello.txt", "hello\n");
    Path ctx =
        context(
            "FROM scratch\nADD "
                + base
                + "/files/hello.txt?x=1 /dir/\nWORKDIR /w\nADD "
                + base
                + "/files/hello.txt named.txt\n");
    Path rootfs = rootfs(build(ctx));
    assertThat(rootfs.resolve("dir/hello.txt")).hasContent("hello\n");
    assertThat(rootfs.resolve("w/named.txt")).hasContent("hello\n");
    assertThat(mode(rootfs.resolve("dir/hello.txt"))).isEqualTo(0600);
    assertThat(Files.getAttribute(rootfs.resolve("dir/hello.txt"), "unix:uid")).isEqualTo(0);
    // Last-Modified is not used: the mtime is SOURCE_DATE_EPOCH (0) like every copied file
    assertThat(Files.getLastModifiedTime(rootfs.resolve("dir/hello.txt")).toMillis()).isZero();
  }

  @Test
  void checksumMatchBuildsAndACacheHitNeverContactsTheServer() throws Exception {
    byte[] data = "pinned content\n".getBytes(StandardCharsets.UTF_8);
    serve("/pinned.bin", new Answer(200, data));
    Path ctx =
        context("FROM scratch\nADD --checksum=" + sha256(data) + " " + base + "/pinned.bin /p/\n");
    BuildResult first = build(ctx);
    assertThat(cached(first)).containsExactly(false);
    assertThat(rootfs(first).resolve("p/pinned.bin")).hasBinaryContent(data);
    assertThat(requests("/pinned.bin")).isEqualTo(1);

    BuildResult second = build(ctx);
    assertThat(cached(second)).containsExactly(true);
    assertThat(second.manifestDigest()).isEqualTo(first.manifestDigest());
    assertThat(requests("/pinned.bin")).isEqualTo(1);
  }

  @Test
  void checksumMismatchFailsAtTheLineAndTagsNothing() throws Exception {
    byte[] data = "actual\n".getBytes(StandardCharsets.UTF_8);
    serve("/f.txt", new Answer(200, data));
    String expected = sha256("something else".getBytes(StandardCharsets.UTF_8));
    String url = base + "/f.txt";
    Path ctx = context("FROM scratch\nADD --checksum=" + expected + " " + url + " /f.txt\n");
    BuildRequest req =
        BuildRequest.of(ctx).withTags(List.of(ImageReference.parse("stamp-test/addurl:bad")));
    assertThatThrownBy(() -> ImageBuilder.open(root).build(req, Progress.NONE))
        .isInstanceOf(BuildException.class)
        .hasMessage(
            "Dockerfile:2:1: ADD "
                + url
                + ": checksum mismatch: expected "
                + expected
                + ", got "
                + sha256(data))
        .extracting(e -> ((StampException) e).kind())
        .isEqualTo(StampException.Kind.FAILED);
    assertThatThrownBy(() -> ImageStore.open(root).resolve("stamp-test/addurl:bad"))
        .isInstanceOf(StampException.class)
        .hasMessage("no such image: stamp-test/addurl:bad")
        .extracting(e -> ((StampException) e).kind())
        .isEqualTo(StampException.Kind.NOT_FOUND);
  }

  @Test
  void sha512ChecksumsAreVerifiedAndMalformedOnesRefused() throws Exception {
    byte[] data = "five twelve\n".getBytes(StandardCharsets.UTF_8);
    serve("/s.txt", new Answer(200, data));
    String sha512 =
        "sha512:"
            + java.util.HexFormat.of()
                .formatHex(java.security.MessageDigest.getInstance("SHA-512").digest(data));
    Path good = context("FROM scratch\nADD --checksum=" + sha512 + " " + base + "/s.txt /s\n");
    assertThat(rootfs(build(good)).resolve("s")).hasBinaryContent(data);
    Path shortHex = context("FROM scratch\nADD --checksum=sha256:abc " + base + "/s.txt /s\n");
    assertThatThrownBy(() -> build(shortHex))
        .hasMessageContaining("Dockerfile:2:1: ADD --checksum=sha256:abc: want sha256:<64 hex>")
        .extracting(e -> ((StampException) e).kind())
        .isEqualTo(StampException.Kind.BAD_INPUT);
    assertThat(requests("/s.txt")).isEqualTo(1);
  }

  @Test
  void withoutChecksumEveryBuildDownloadsAndHitsOnlyWhileTheContentIsTheSame() throws Exception {
    serve("/v.txt", "one\n");
    Path ctx = context("FROM scratch\nADD " + base + "/v.txt /v.txt\n");
    assertThat(cached(build(ctx))).containsExactly(false);
    assertThat(cached(build(ctx))).containsExactly(true);
    assertThat(requests("/v.txt")).isEqualTo(2);

    serve("/v.txt", "two\n");
    BuildResult changed = build(ctx);
    assertThat(cached(changed)).containsExactly(false);
    assertThat(requests("/v.txt")).isEqualTo(3);
    assertThat(rootfs(changed).resolve("v.txt")).hasContent("two\n");
  }

  @Test
  void notFoundNamesTheUrlAndStatusAndIsNotRetried() throws Exception {
    String url = base + "/missing.txt";
    Path ctx = context("FROM scratch\nADD " + url + " /m.txt\n");
    assertThatThrownBy(() -> build(ctx))
        .isInstanceOf(BuildException.class)
        .hasMessage("Dockerfile:2:1: ADD " + url + ": GET returned HTTP 404")
        .extracting(e -> ((StampException) e).kind())
        .isEqualTo(StampException.Kind.NOT_FOUND);
    assertThat(requests("/missing.txt")).isEqualTo(1);
  }

  @Test
  void aServerErrorIsRetriedAndThenSucceeds() throws Exception {
    serve(
        "/flaky.txt",
        new Answer(503, new byte[0]),
        new Answer(200, "finally\n".getBytes(StandardCharsets.UTF_8)));
    Path ctx = context("FROM scratch\nADD " + base + "/flaky.txt /f\n");
    assertThat(rootfs(build(ctx)).resolve("f")).hasContent("finally\n");
    assertThat(requests("/flaky.txt")).isEqualTo(2);
  }

  @Test
  void aServerThatKeepsFailingFailsTheBuildAfterTheRetries() throws Exception {
    serve("/down.txt", new Answer(500, new byte[0]));
    String url = base + "/down.txt";
    Path ctx = context("FROM scratch\nADD " + url + " /d\n");
    assertThatThrownBy(() -> build(ctx))
        .hasMessageContaining("Dockerfile:2:1: ADD " + url + ": download failed after")
        .hasMessageContaining("HTTP 500");
    assertThat(requests("/down.txt")).isEqualTo(UrlDownloader.ATTEMPTS);
  }

  @Test
  void anArchiveUrlIsNotExtracted() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    TarWriter tar = new TarWriter(bytes);
    byte[] data = "inside\n".getBytes(StandardCharsets.UTF_8);
    tar.write(TarEntry.file("f", 0644, 0, 0, data.length, 0), new ByteArrayInputStream(data));
    tar.finish();
    byte[] archive = bytes.toByteArray();
    serve("/a.tar", new Answer(200, archive));
    Path rootfs = rootfs(build(context("FROM scratch\nADD " + base + "/a.tar /x/\n")));
    assertThat(rootfs.resolve("x/a.tar")).isRegularFile().hasBinaryContent(archive);
    assertThat(rootfs.resolve("x/f")).doesNotExist();
  }

  @Test
  void chmodAndChownApply() throws Exception {
    serve("/tool.sh", "#!/bin/sh\n");
    Path ctx =
        context(
            "FROM scratch\nADD --chmod=0755 --chown=1234:5678 " + base + "/tool.sh /usr/bin/\n");
    Path tool = rootfs(build(ctx)).resolve("usr/bin/tool.sh");
    assertThat(mode(tool)).isEqualTo(0755);
    assertThat(Files.getAttribute(tool, "unix:uid")).isEqualTo(1234);
    assertThat(Files.getAttribute(tool, "unix:gid")).isEqualTo(5678);
  }

  @Test
  void gitAndOtherSchemesAreRefusedAtTheLine() throws Exception {
    Path git = context("FROM scratch\nADD " + base + "/repo.git /src/\n");
    assertThatThrownBy(() -> build(git))
        .hasMessageContaining("Dockerfile:2:1: ADD " + base + "/repo.git: Git repository sources")
        .extracting(e -> ((StampException) e).kind())
        .isEqualTo(StampException.Kind.BAD_INPUT);
    Path ftp = context("FROM scratch\nADD ftp://127.0.0.1/x /x\n");
    assertThatThrownBy(() -> build(ftp))
        .hasMessageContaining("Dockerfile:2:1: ADD ftp://127.0.0.1/x: only http:// and https://");
    Path noName = context("FROM scratch\nADD " + base + "/ /d/\n");
    assertThatThrownBy(() -> build(noName))
        .hasMessageContaining("cannot determine a file name from the URL");
    assertThat(requests.keySet()).isEmpty();
  }
}
