package dev.stamp.builder.engine;

/**
 * One executed step: its number in the build ({@code #3}), stage name, position in the stage, the
 * instruction as shown, whether the cache served it, how long it took and the size of the layer it
 * added (0 for metadata steps), and the step's cache key (the stage's key after it; what {@link
 * ImageBuilder#plan} predicts).
 */
public record StepReport(
    int number,
    String stage,
    int index,
    int stageSteps,
    String text,
    boolean cached,
    long millis,
    long layerBytes,
    String cacheKey) {

  /** {@code [build 2/4] RUN make}. */
  public String title() {
    return "[" + stage + " " + index + "/" + stageSteps + "] " + text;
  }

  /** A step in progress: it knows when it started. */
  static final class Builder {
    private final int number;
    private final String stage;
    private final int index;
    private final int count;
    private final String text;
    private final long start = System.nanoTime();

    Builder(int number, String stage, int index, int count, String text) {
      this.number = number;
      this.stage = stage;
      this.index = index;
      this.count = count;
      this.text = text;
    }

    int number() {
      return number;
    }

    String text() {
      return text;
    }

    String title() {
      return "[" + stage + " " + index + "/" + count + "] " + text;
    }

    StepReport done(boolean cached, long bytes, String cacheKey) {
      long millis = (System.nanoTime() - start) / 1_000_000;
      return new StepReport(number, stage, index, count, text, cached, millis, bytes, cacheKey);
    }
  }
}
