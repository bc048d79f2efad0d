import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.image.Descriptor;
import dev.stamp.runtime.image.ImageReference;
import dev.stamp.runtime.image.ImageStore;
import dev.stamp.runtime.registry.ImagePuller;
import dev.stamp.runtime.registry.ImagePusher;
import dev.stamp.runtime.registry.PullResult;
import dev.stamp.runtime.registry.Registries;
import dev.stamp.runtime.registry.TransferListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Push, pull and no-op pull of one image in a warm JVM (one Registries for the pulls, as a
 * long-running agent keeps it; one per push, which would otherwise mount what it pushed before). Each round pushes the image under a new repository (the only name
 * it has then, so nothing can be mounted), pulls it into a fresh root, then pulls it 5 times more
 * (nothing to fetch). Round 1 warms up; prints the medians of the others as "name value" lines.
 * Args: ROOT (holding REF) REF ROUNDS.
 */
public final class RegistryWarmBench {
  public static void main(String[] args) throws Exception {
    StampRoot root = new StampRoot(Path.of(args[0]));
    ImageReference source = ImageReference.parse(args[1]);
    int rounds = Integer.parseInt(args[2]);
    ImageStore store = ImageStore.open(root);
    Registries registries = Registries.open(root, Map.of());
    Descriptor tagged = store.entry(source).orElseThrow();
    Descriptor manifest = Descriptor.of(tagged.mediaType(), tagged.digest(), tagged.size());
    store.untag(source);
    double[] push = new double[rounds - 1];
    double[] pull = new double[rounds - 1];
    double[] noop = new double[(rounds - 1) * 5];
    for (int round = 0; round < rounds; round++) {
      ImageReference ref =
          ImageReference.parse(source.registry() + "/warm-" + System.nanoTime() + ":1");
      store.tag(ref, manifest);
      long t0 = System.nanoTime();
      // A Registries of its own: the shared one remembers where each blob went and would mount it.
      new ImagePusher(Registries.open(root, Map.of()), store).push(ref, TransferListener.NONE);
      long t1 = System.nanoTime();
      store.untag(ref);
      Path fresh = Files.createTempDirectory("stamp-warm-pull-");
      ImageStore target = ImageStore.open(new StampRoot(fresh));
      long t2 = System.nanoTime();
      new ImagePuller(registries, target).pull(ref, TransferListener.NONE);
      long t3 = System.nanoTime();
      for (int i = 0; i < 5; i++) {
        long s = System.nanoTime();
        PullResult again = new ImagePuller(registries, target).pull(ref, TransferListener.NONE);
        double ms = (System.nanoTime() - s) / 1e6;
        if (!again.upToDate()) {
          throw new IllegalStateException("the repeated pull fetched something");
        }
        if (round > 0) {
          noop[(round - 1) * 5 + i] = ms;
        }
      }
      if (round > 0) {
        push[round - 1] = (t1 - t0) / 1e9;
        pull[round - 1] = (t3 - t2) / 1e9;
      }
      try (Stream<Path> files = Files.walk(fresh)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    store.tag(source, manifest);
    System.out.printf("push_s %.3f%npull_s %.3f%nnoop_ms %.1f%n", median(push), median(pull), median(noop));
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
