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
    return title(stage, index, stageSteps, text);
  }

  /** A step in progress: it knows when it started ({@link System#nanoTime}). */
  record Builder(int number, String stage, int index, int count, String text, long start) {

    Builder(int number, String stage, int index, int count, String text) {
      this(number, stage, index, count, text, System.nanoTime());
    }

    String title() {
      return StepReport.title(stage, index, count, text);
    }

    StepReport done(boolean cached, long bytes, String cacheKey) {
      long millis = (System.nanoTime() - start) / 1_000_000;
      return new StepReport(number, stage, index, count, text, cached, millis, bytes, cacheKey);
    }
  }

  private static String title(String stage, int index, int count, String text) {
    return "[" + stage + " " + index + "/" + count + "] " + text;
  }
}
