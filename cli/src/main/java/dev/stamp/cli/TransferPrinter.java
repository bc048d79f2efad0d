package dev.stamp.cli;

import dev.stamp.runtime.image.Descriptor;
import dev.stamp.runtime.registry.TransferListener;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * One progress line per blob of a pull or push: {@code 3f1a2b4c5d6e: pushed 1.2 MB}. Pulls call it
 * from several download threads.
 */
final class TransferPrinter implements TransferListener {

  private final PrintWriter out;

  private TransferPrinter(PrintWriter out) {
    this.out = out;
  }

  /** A printer to {@code out}, or no progress at all when {@code quiet}. */
  static TransferListener unless(boolean quiet, PrintWriter out) {
    return quiet ? TransferListener.NONE : new TransferPrinter(out);
  }

  @Override
  public synchronized void blob(Descriptor blob, Status status) {
    String size =
        status == Status.PULLED || status == Status.PUSHED ? " " + humanSize(blob.size()) : "";
    out.println(blob.digest().shortHex() + ": " + status.word() + size);
    out.flush();
  }

  /** Decimal units, as Docker prints them: {@code 512 B}, {@code 1.2 kB}, {@code 34.5 MB}. */
  static String humanSize(long bytes) {
    if (bytes < 1000) {
      return bytes + " B";
    }
    String[] units = {"kB", "MB", "GB", "TB"};
    double value = bytes;
    int unit = -1;
    while (value >= 1000 && unit < units.length - 1) {
      value /= 1000;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
  }
}
