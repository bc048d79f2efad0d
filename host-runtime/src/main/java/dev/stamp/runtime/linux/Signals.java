package dev.stamp.runtime.linux;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Signal names and numbers (x86_64), as {@code STOPSIGNAL} and {@code stamp stop} take them. */
public final class Signals {

  private static final Map<String, Integer> BY_NAME =
      Map.ofEntries(
          Map.entry("HUP", 1),
          Map.entry("INT", 2),
          Map.entry("QUIT", 3),
          Map.entry("ILL", 4),
          Map.entry("TRAP", 5),
          Map.entry("ABRT", 6),
          Map.entry("BUS", 7),
          Map.entry("FPE", 8),
          Map.entry("KILL", 9),
          Map.entry("USR1", 10),
          Map.entry("SEGV", 11),
          Map.entry("USR2", 12),
          Map.entry("PIPE", 13),
          Map.entry("ALRM", 14),
          Map.entry("TERM", 15),
          Map.entry("STKFLT", 16),
          Map.entry("CHLD", 17),
          Map.entry("CONT", 18),
          Map.entry("STOP", 19),
          Map.entry("TSTP", 20),
          Map.entry("TTIN", 21),
          Map.entry("TTOU", 22),
          Map.entry("URG", 23),
          Map.entry("XCPU", 24),
          Map.entry("XFSZ", 25),
          Map.entry("VTALRM", 26),
          Map.entry("PROF", 27),
          Map.entry("WINCH", 28),
          Map.entry("IO", 29),
          Map.entry("PWR", 30),
          Map.entry("SYS", 31));

  private Signals() {}

  /** "SIGTERM", "TERM", "term" or "15"; empty when it names no signal. */
  public static Optional<Integer> parse(String text) {
    String t = text.strip().toUpperCase(Locale.ROOT);
    if (t.matches("[0-9]{1,2}")) {
      int n = Integer.parseInt(t);
      return n >= 1 && n <= 64 ? Optional.of(n) : Optional.empty();
    }
    return Optional.ofNullable(BY_NAME.get(t.startsWith("SIG") ? t.substring(3) : t));
  }
}
