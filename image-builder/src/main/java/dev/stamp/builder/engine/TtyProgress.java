package dev.stamp.builder.engine;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code --progress tty}: finished steps scroll by as in plain mode; below them the running steps
 * are redrawn in place (elapsed time and the last output line) several times a second.
 */
public final class TtyProgress implements Progress, AutoCloseable {

  private record Running(String title, long start, String lastLine) {}

  private final PrintWriter out;
  private final Map<Integer, Running> running = new LinkedHashMap<>();
  private final Thread ticker;
  private int drawn;

  public TtyProgress(PrintWriter out) {
    this.out = out;
    this.ticker = new Thread(this::tick, "stamp-build-progress");
    ticker.setDaemon(true);
    ticker.start();
  }

  private void tick() {
    try {
      while (!Thread.currentThread().isInterrupted()) {
        Thread.sleep(200);
        synchronized (this) {
          redraw(null);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public synchronized void started(int number, String title) {
    running.put(number, new Running(title, System.nanoTime(), ""));
    redraw(null);
  }

  @Override
  public synchronized void output(int number, String line) {
    Running r = running.get(number);
    if (r != null) {
      running.put(number, new Running(r.title(), r.start(), line));
    }
  }

  @Override
  public synchronized void finished(StepReport step) {
    running.remove(step.number());
    redraw("#" + step.number() + " " + step.title() + "  " + PlainProgress.status(step));
  }

  /** Clears the live lines, prints {@code permanent} (if any), draws the live lines again. */
  private void redraw(String permanent) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < drawn; i++) {
      sb.append("\033[1A\033[2K");
    }
    if (permanent != null) {
      sb.append(permanent).append('\n');
    }
    drawn = 0;
    for (Map.Entry<Integer, Running> e : running.entrySet()) {
      Running r = e.getValue();
      double secs = (System.nanoTime() - r.start()) / 1e9;
      String line = String.format(Locale.ROOT, "#%d %s  %.1fs", e.getKey(), r.title(), secs);
      if (!r.lastLine().isEmpty()) {
        line += "  | " + r.lastLine();
      }
      if (line.length() > 150) {
        line = line.substring(0, 150);
      }
      sb.append("\033[36m").append(line).append("\033[0m\n");
      drawn++;
    }
    out.print(sb);
    out.flush();
  }

  @Override
  public synchronized void close() {
    ticker.interrupt();
    redraw(null);
  }
}
