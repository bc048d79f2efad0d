import dev.stamp.builder.engine.BuildRequest;
import dev.stamp.builder.engine.BuildResult;
import dev.stamp.builder.engine.ImageBuilder;
import dev.stamp.builder.engine.Progress;
import dev.stamp.runtime.StampRoot;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A fully cached build of samples/base in a warm JVM: one cold build, 5 warm-up cached builds, then
 * the median of 20 cached builds (a fresh ImageBuilder each time, as a long-running controller
 * would open per build). Target: under 300 ms. Args: CONTEXT ROOT.
 */
public final class BuildWarmBench {
  public static void main(String[] args) throws Exception {
    Path context = Path.of(args[0]);
    StampRoot root = new StampRoot(Path.of(args[1]));
    BuildRequest request = BuildRequest.of(context);
    long t0 = System.nanoTime();
    ImageBuilder.open(root).build(request, Progress.NONE);
    double cold = (System.nanoTime() - t0) / 1e6;
    for (int i = 0; i < 5; i++) {
      ImageBuilder.open(root).build(request, Progress.NONE);
    }
    double[] ms = new double[20];
    long cached = 0;
    for (int i = 0; i < ms.length; i++) {
      long s = System.nanoTime();
      BuildResult r = ImageBuilder.open(root).build(request, Progress.NONE);
      ms[i] = (System.nanoTime() - s) / 1e6;
      cached = r.cachedSteps();
    }
    Arrays.sort(ms);
    System.out.printf(
        "samples/base in a warm JVM: cold %.0f ms; fully cached (%d cached steps) median %.1f ms,"
            + " min %.1f ms, max %.1f ms (target < 300 ms)%n",
        cold, cached, ms[ms.length / 2], ms[0], ms[ms.length - 1]);
  }
}
