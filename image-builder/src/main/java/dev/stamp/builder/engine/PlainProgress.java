package dev.stamp.builder.engine;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * {@code --progress plain}: one line per finished step ({@code #3 [build 2/4] RUN make DONE 1.2s
 * 4.1MB} or {@code … CACHED}), RUN output as {@code #3 line}.
 */
public final class PlainProgress implements Progress {

  private final PrintWriter out;

  public PlainProgress(PrintWriter out) {
    this.out = out;
  }

  @Override
  public synchronized void started(int number, String title) {
    out.println("#" + number + " " + title);
  }

  @Override
  public synchronized void output(int number, String line) {
    out.println("#" + number + " " + line);
  }

  @Override
  public synchronized void finished(StepReport step) {
    out.println("#" + step.number() + " " + step.title() + "  " + status(step));
  }

  static String status(StepReport step) {
    if (step.cached()) {
      return "CACHED";
    }
    String s = String.format(Locale.ROOT, "DONE %.1fs", step.millis() / 1000.0);
    return step.layerBytes() > 0 ? s + " " + size(step.layerBytes()) : s;
  }

  static String size(long bytes) {
    if (bytes < 1000) {
      return bytes + "B";
    }
    double v = bytes;
    String[] units = {"kB", "MB", "GB", "TB"};
    int u = -1;
    while (v >= 1000 && u < units.length - 1) {
      v /= 1000;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f%s", v, units[u]);
  }
}
