package dev.stamp.cli;

import dev.stamp.builder.engine.BuildRequest;
import dev.stamp.builder.engine.BuildResult;
import dev.stamp.builder.engine.ImageBuilder;
import dev.stamp.builder.engine.Progress;
import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampException;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.container.ContainerRuntime;
import dev.stamp.runtime.container.ContainerSpec;
import dev.stamp.runtime.container.ContainerStatus;
import dev.stamp.runtime.image.Image;
import dev.stamp.runtime.image.ImageReference;
import dev.stamp.runtime.image.ImageStore;
import dev.stamp.runtime.network.PortMapping;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code stamp demo}: the whole path on one machine. Builds the samples' base image (samples/base,
 * from the host's static busybox) when the store lacks it, runs busybox httpd from it on the
 * default bridge with a port published on 127.0.0.1, fetches the page, then removes the container
 * ({@code --keep} leaves it running). A failure is one line, exit 1, with the container removed.
 */
@Command(
    name = "demo",
    description = {
      "Build the samples' base image if needed, serve a page from a container, fetch it.",
      "Needs root and the packages bin/setup installs (busybox-static, containernetworking-plugins)."
    })
final class DemoCommand extends StampCommand {

  static final String IMAGE = "stamp-samples/base:1";
  static final String PAGE = "Hello from a Stamp container";
  static final List<String> SAMPLE_FILES = List.of("Dockerfile", "passwd", "group");
  static final List<Path> BUSYBOX = List.of(Path.of("/bin/busybox"), Path.of("/usr/bin/busybox"));
  static final Duration FETCH_TIMEOUT = Duration.ofSeconds(20);

  @Option(names = "--keep", description = "Leave the container running and print its URL.")
  boolean keep;

  @Override
  public Integer call() throws HostRuntimeException {
    PrintWriter out = out();
    try {
      run(out);
      return StampCli.EXIT_OK;
    } catch (StampException e) {
      throw HostRuntimeException.failed("demo: " + e.getMessage(), e);
    }
  }

  private void run(PrintWriter out) throws StampException {
    long t0 = System.nanoTime();
    StampRoot root = stamp.root();
    baseImage(root, out);
    ContainerRuntime runtime = Runtimes.open(stamp);
    int port = freeLoopbackPort();
    String url = "http://127.0.0.1:" + port + "/";
    long t1 = System.nanoTime();
    String id = runtime.create(containerSpec(port));
    try {
      runtime.start(id, false).close();
      long started = System.nanoTime();
      out.printf(
          "container %s  started in %d ms on the default bridge, 127.0.0.1:%d -> 80%n",
          id.substring(0, 12), millis(started - t1), port);
      out.flush();
      String body = fetch(runtime, id, url);
      out.printf(
          "fetched   %s  \"%s\" (%d ms after start)%n",
          url, body.strip().replaceAll("<[^>]+>", ""), millis(System.nanoTime() - started));
    } catch (StampException | RuntimeException e) {
      removeQuietly(runtime, id);
      throw e;
    }
    if (keep) {
      out.printf(
          "kept      %s running: %s  (remove: stamp rm -f %s)%n",
          id.substring(0, 12), url, id.substring(0, 12));
    } else {
      runtime.remove(id, true);
      out.printf("removed   %s%n", id.substring(0, 12));
    }
    out.printf("done      in %d ms%n", millis(System.nanoTime() - t0));
    out.flush();
  }

  private Image baseImage(StampRoot root, PrintWriter out) throws StampException {
    ImageStore store = ImageStore.open(root);
    ImageReference ref = ImageReference.parse(IMAGE);
    if (store.entry(ref).isPresent()) {
      Image image = store.resolve(IMAGE);
      out.printf("image     %s  %s (in the store)%n", IMAGE, image.manifestDigest());
      return image;
    }
    long t0 = System.nanoTime();
    Path context = buildContext();
    try {
      BuildRequest request =
          BuildRequest.of(context)
              .withDockerfile(context.resolve("Dockerfile"))
              .withTags(List.of(ref));
      BuildResult result = ImageBuilder.open(root).build(request, Progress.NONE);
      out.printf(
          "image     %s  %s (built from samples/base in %d ms)%n",
          IMAGE, result.manifestDigest(), millis(System.nanoTime() - t0));
      out.flush();
      return result.image();
    } finally {
      deleteQuietly(context);
    }
  }

  /** samples/base (from the jar) plus the host's static busybox, in a fresh temp directory. */
  private static Path buildContext() throws HostRuntimeException {
    Path busybox =
        BUSYBOX.stream()
            .filter(Files::isRegularFile)
            .findFirst()
            .orElseThrow(
                () ->
                    HostRuntimeException.notFound(
                        "no busybox at /bin/busybox: install busybox-static (bin/setup)"));
    try {
      Path context = Files.createTempDirectory("stamp-demo-");
      for (String name : SAMPLE_FILES) {
        try (InputStream in = DemoCommand.class.getResourceAsStream("/samples/base/" + name)) {
          if (in == null) {
            deleteQuietly(context);
            throw HostRuntimeException.failed("samples/base/" + name + " is missing from the jar");
          }
          Files.copy(in, context.resolve(name));
        }
      }
      Files.copy(busybox, context.resolve("busybox"), StandardCopyOption.COPY_ATTRIBUTES);
      return context;
    } catch (IOException e) {
      throw HostRuntimeException.failed("prepare the build context: " + e.getMessage(), e);
    }
  }

  private static ContainerSpec containerSpec(int port) throws HostRuntimeException {
    String script =
        "mkdir -p /www && echo '<h1>"
            + PAGE
            + "</h1>' > /www/index.html && exec httpd -f -p 80 -h /www";
    return ContainerSpec.builder()
        .image(IMAGE)
        .command(List.of("sh", "-c", script))
        .port(PortMapping.of("127.0.0.1", port, 80, "tcp"))
        .build();
  }

  /** GETs {@code url} until the page answers (httpd starts after exec) or the container ends. */
  private static String fetch(ContainerRuntime runtime, String id, String url)
      throws StampException {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build();
    long deadline = System.nanoTime() + FETCH_TIMEOUT.toNanos();
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200 && response.body().contains(PAGE)) {
          return response.body();
        }
        last = "HTTP " + response.statusCode();
      } catch (IOException e) {
        last = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw HostRuntimeException.failed("fetch " + url + ": interrupted");
      }
      if (runtime.inspect(id).state().status() != ContainerStatus.RUNNING) {
        throw HostRuntimeException.failed("fetch " + url + ": the container exited");
      }
      sleep(100);
    }
    throw HostRuntimeException.failed(
        "fetch " + url + ": no page within " + FETCH_TIMEOUT.toSeconds() + " s (" + last + ")");
  }

  private static int freeLoopbackPort() throws HostRuntimeException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw HostRuntimeException.failed("find a free port on 127.0.0.1: " + e.getMessage(), e);
    }
  }

  private static void removeQuietly(ContainerRuntime runtime, String id) {
    try {
      runtime.remove(id, true);
    } catch (HostRuntimeException e) {
      // the demo's own failure is the one line the user sees
    }
  }

  private static void deleteQuietly(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temp directory left behind is harmless
    }
  }

  private static long millis(long nanos) {
    return nanos / 1_000_000;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
