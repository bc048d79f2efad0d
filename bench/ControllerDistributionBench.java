import dev.stamp.controller.distribution.DistributionServer;
import dev.stamp.controller.distribution.PullAccess;
import dev.stamp.controller.distribution.PullSecret;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.image.ImageReference;
import dev.stamp.runtime.image.ImageStore;
import dev.stamp.runtime.registry.Credentials;
import dev.stamp.runtime.registry.ImagePuller;
import dev.stamp.runtime.registry.Registries;
import dev.stamp.runtime.registry.RegistryConfig;
import dev.stamp.runtime.registry.TransferListener;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * One warm JVM pulls the same image, round after round, into a fresh root each time: from the
 * controller's distribution endpoint (serving the store at ROOT, with a pull password) and from a
 * docker-registry holding the same image. The order alternates per round; round 1 warms up; prints
 * the medians and minima of the others as "name value" lines, and the endpoint's address for the script's
 * skopeo runs when asked to keep serving (KEEP: seconds).
 * Args: ROOT (holding docker.io/NAME:TAG) NAME:TAG REGISTRY_HOST ROUNDS [KEEP_SECONDS].
 */
public final class ControllerDistributionBench {
  public static void main(String[] args) throws Exception {
    ImageStore store = ImageStore.open(new StampRoot(Path.of(args[0])));
    String image = args[1];
    String registry = args[2];
    int rounds = Integer.parseInt(args[3]);
    PullSecret secret = PullSecret.generate();
    try (DistributionServer server =
        DistributionServer.start(
            store, new InetSocketAddress("127.0.0.1", 0), PullAccess.password(secret))) {
      Registries endpointRegistries =
          new Registries(
              RegistryConfig.DEFAULT,
              host ->
                  host.equals(server.registry())
                      ? Optional.of(Credentials.basic("stamp", secret.reveal()))
                      : Optional.empty());
      ImageReference fromEndpoint = ImageReference.parse(server.registry() + "/" + image);
      ImageReference fromRegistry = ImageReference.parse(registry + "/" + image);
      double[] endpoint = new double[rounds - 1];
      double[] docker = new double[rounds - 1];
      for (int round = 0; round < rounds; round++) {
        double e;
        double d;
        if (round % 2 == 0) {
          e = pull(endpointRegistries, fromEndpoint);
          d = pull(endpointRegistries, fromRegistry);
        } else {
          d = pull(endpointRegistries, fromRegistry);
          e = pull(endpointRegistries, fromEndpoint);
        }
        if (round > 0) {
          endpoint[round - 1] = e;
          docker[round - 1] = d;
        }
      }
      System.out.printf(
          "endpoint_s %.3f%nregistry_s %.3f%nendpoint_min_s %.3f%nregistry_min_s %.3f%n",
          median(endpoint), median(docker), min(endpoint), min(docker));
      if (args.length > 4) {
        System.out.println("endpoint " + server.registry() + " " + secret.reveal());
        System.out.flush();
        Thread.sleep(Long.parseLong(args[4]) * 1000);
      }
    }
  }

  /** Seconds to pull {@code ref} into a fresh root (deleted afterwards). */
  private static double pull(Registries registries, ImageReference ref) throws Exception {
    Path fresh = Files.createTempDirectory("stamp-dist-bench-");
    try {
      ImageStore target = ImageStore.open(new StampRoot(fresh));
      long t0 = System.nanoTime();
      new ImagePuller(registries, target).pull(ref, TransferListener.NONE);
      return (System.nanoTime() - t0) / 1e9;
    } finally {
      try (Stream<Path> files = Files.walk(fresh)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static double min(double[] values) {
    return Arrays.stream(values).min().orElseThrow();
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
