package dev.stamp.controller.compose;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The small languages inside Compose values: durations ({@code 1m30s}), byte sizes ({@code 512m}),
 * the short port and volume syntaxes, file modes and shell-like command strings. Each parser throws
 * {@link IllegalArgumentException} with what was expected; the caller adds file, line and path.
 */
final class ComposeSyntax {

  private static final Pattern DURATION_PART =
      Pattern.compile("([0-9]+\\.?[0-9]*|\\.[0-9]+)(ns|us|µs|μs|ms|s|m|h|d|w)");
  private static final Pattern BYTES =
      Pattern.compile("([0-9]+(?:\\.[0-9]+)?) ?([kKmMgGtTpP])?[iI]?[bB]?");
  private static final Pattern PORT_RANGE = Pattern.compile("([0-9]+)(?:-([0-9]+))?");

  private ComposeSyntax() {}

  /** Go's duration syntax plus d and w, as compose-go reads it: {@code 1m30s}, {@code 1.5s}. */
  static Duration duration(String text) {
    String s = text.strip();
    boolean negative = s.startsWith("-");
    if (s.startsWith("-") || s.startsWith("+")) {
      s = s.substring(1);
    }
    if (s.equals("0")) {
      return Duration.ZERO;
    }
    Matcher m = DURATION_PART.matcher(s);
    BigDecimal nanos = BigDecimal.ZERO;
    int at = 0;
    while (at < s.length() && m.find(at) && m.start() == at) {
      long unit =
          switch (m.group(2)) {
            case "ns" -> 1L;
            case "us", "µs", "μs" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            case "d" -> 86_400_000_000_000L;
            default -> 604_800_000_000_000L;
          };
      nanos = nanos.add(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit)));
      at = m.end();
    }
    if (s.isEmpty() || at != s.length()) {
      throw new IllegalArgumentException(
          "expected a duration such as 10s, 1m30s or 500ms, got \"" + text + "\"");
    }
    if (negative) {
      throw new IllegalArgumentException("a duration must not be negative, got \"" + text + "\"");
    }
    return Duration.ofNanos(nanos.longValue());
  }

  /** Docker's byte sizes, binary units: {@code 512m}, {@code 1g}, {@code 640kb}, {@code 100}. */
  static long bytes(String text) {
    Matcher m = BYTES.matcher(text.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "expected a size such as 512m, 1g or 1048576 (bytes), got \"" + text + "\"");
    }
    int shift =
        m.group(2) == null
            ? 0
            : 10 * ("kmgtp".indexOf(m.group(2).toLowerCase(Locale.ROOT).charAt(0)) + 1);
    return new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(2).pow(shift)).longValue();
  }

  /** A file mode: a YAML integer as Go reads it (0440 and 0o440 octal), a string always octal. */
  static int fileMode(String text, boolean yamlInteger) {
    String s = text.strip().toLowerCase(Locale.ROOT);
    try {
      if (s.startsWith("0o")) {
        return Integer.parseInt(s.substring(2), 8);
      }
      if (s.startsWith("0x") && yamlInteger) {
        return Integer.parseInt(s.substring(2), 16);
      }
      if (!yamlInteger || (s.startsWith("0") && s.length() > 1)) {
        return Integer.parseInt(s, 8);
      }
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "expected a file mode such as 0440 or \"0440\" (octal), got \"" + text + "\"");
    }
  }

  /**
   * The short port syntax {@code [[HOST_IP:][HOST[-HOST]]:]CTR[-CTR][/PROTO]}: one entry per
   * container port; a host range onto one container port stays one entry published as the range.
   */
  static List<ComposeService.Port> ports(String spec) {
    String rest = spec.strip();
    String protocol = "tcp";
    int slash = rest.lastIndexOf('/');
    if (slash >= 0) {
      protocol = rest.substring(slash + 1);
      rest = rest.substring(0, slash);
      if (!protocol.equals("tcp") && !protocol.equals("udp")) {
        throw new IllegalArgumentException(
            "invalid protocol \"" + protocol + "\" in \"" + spec + "\": expected tcp or udp");
      }
    }
    String hostIp = null;
    if (rest.startsWith("[")) {
      int close = rest.indexOf("]:");
      if (close < 0) {
        throw new IllegalArgumentException(expectedPort(spec));
      }
      hostIp = rest.substring(1, close);
      rest = rest.substring(close + 2);
    }
    String[] parts = rest.split(":", -1);
    String host;
    String container;
    switch (parts.length) {
      case 1 -> {
        host = "";
        container = parts[0];
      }
      case 2 -> {
        host = parts[0];
        container = parts[1];
      }
      case 3 -> {
        if (hostIp != null) {
          throw new IllegalArgumentException(expectedPort(spec));
        }
        hostIp = parts[0];
        host = parts[1];
        container = parts[2];
      }
      default -> throw new IllegalArgumentException(expectedPort(spec));
    }
    if (hostIp != null && hostIp.isEmpty()) {
      hostIp = null;
    }
    if (hostIp != null && !hostIp.matches("[0-9.]+|[0-9a-fA-F:]+")) {
      throw new IllegalArgumentException("invalid host IP \"" + hostIp + "\" in \"" + spec + "\"");
    }
    int[] ctr = range(container, "container port", spec, false);
    int[] pub = host.isEmpty() ? null : range(host, "host port", spec, true);
    List<ComposeService.Port> out = new ArrayList<>();
    int count = ctr[1] - ctr[0] + 1;
    if (count == 1) {
      String published =
          pub == null ? null : pub[0] == pub[1] ? "" + pub[0] : pub[0] + "-" + pub[1];
      out.add(new ComposeService.Port(ctr[0], published, hostIp, protocol, "ingress"));
      return out;
    }
    if (pub != null && pub[1] - pub[0] + 1 != count) {
      throw new IllegalArgumentException(
          "the host range and the container range in \"" + spec + "\" differ in length");
    }
    for (int i = 0; i < count; i++) {
      String published = pub == null ? null : "" + (pub[0] + i);
      out.add(new ComposeService.Port(ctr[0] + i, published, hostIp, protocol, "ingress"));
    }
    return out;
  }

  /** A published port as written in the long syntax: a port or a range, kept as text. */
  static String published(String text) {
    int[] r = range(text.strip(), "published port", text, true);
    return r[0] == r[1] ? "" + r[0] : r[0] + "-" + r[1];
  }

  static int port(String text, String what) {
    int[] r = range(text.strip(), what, text, false);
    if (r[0] != r[1]) {
      throw new IllegalArgumentException("expected one " + what + ", got \"" + text + "\"");
    }
    return r[0];
  }

  private static int[] range(String text, String what, String spec, boolean zeroOk) {
    Matcher m = PORT_RANGE.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "invalid " + what + " \"" + text + "\" in \"" + spec + "\": " + expectedPort(spec));
    }
    long lo = parsePort(m.group(1), what, spec, zeroOk);
    long hi = m.group(2) == null ? lo : parsePort(m.group(2), what, spec, zeroOk);
    if (hi < lo) {
      throw new IllegalArgumentException(
          "invalid " + what + " range \"" + text + "\" in \"" + spec + "\"");
    }
    return new int[] {(int) lo, (int) hi};
  }

  private static long parsePort(String digits, String what, String spec, boolean zeroOk) {
    long v = digits.length() > 6 ? Long.MAX_VALUE : Long.parseLong(digits);
    if (v > 65535 || (v == 0 && !zeroOk)) {
      throw new IllegalArgumentException(
          "invalid " + what + " " + digits + " in \"" + spec + "\": expected 1-65535");
    }
    return v;
  }

  private static String expectedPort(String spec) {
    return "expected \"[HOST_IP:][HOST:]CONTAINER[/tcp|/udp]\" (ports or ranges), got \""
        + spec
        + "\"";
  }

  /** Parts of the short volume syntax {@code [SOURCE:]TARGET[:OPTIONS]}. */
  record VolumeSpec(String source, String target, boolean readOnly) {}

  static VolumeSpec volume(String spec) {
    String[] parts = spec.split(":", -1);
    String source;
    String target;
    String options = "";
    switch (parts.length) {
      case 1 -> {
        source = null;
        target = parts[0];
      }
      case 2 -> {
        source = parts[0];
        target = parts[1];
      }
      case 3 -> {
        source = parts[0];
        target = parts[1];
        options = parts[2];
      }
      default ->
          throw new IllegalArgumentException(
              "invalid volume \""
                  + spec
                  + "\": too many colons (expected SOURCE:TARGET[:OPTIONS])");
    }
    if (source != null && source.isEmpty()) {
      throw new IllegalArgumentException("invalid volume \"" + spec + "\": empty source");
    }
    if (!target.startsWith("/")) {
      throw new IllegalArgumentException(
          "invalid volume \""
              + spec
              + "\": the target must be an absolute path, got \""
              + target
              + "\"");
    }
    boolean readOnly = false;
    if (!options.isEmpty()) {
      for (String option : options.split(",")) {
        switch (option) {
          case "ro", "readonly" -> readOnly = true;
          case "rw", "z", "Z", "nocopy", "cached", "delegated", "consistent" -> {}
          default ->
              throw new IllegalArgumentException(
                  "invalid volume \""
                      + spec
                      + "\": unknown option \""
                      + option
                      + "\" (expected ro, rw, z, Z or nocopy)");
        }
      }
    }
    return new VolumeSpec(source, target, readOnly);
  }

  /** A command string split as a POSIX shell splits words (quotes group; nothing is expanded). */
  static List<String> shellSplit(String text) {
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean inWord = false;
    char quote = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quote == '\'') {
        if (c == '\'') {
          quote = 0;
        } else {
          word.append(c);
        }
      } else if (quote == '"') {
        if (c == '"') {
          quote = 0;
        } else if (c == '\\'
            && i + 1 < text.length()
            && "\"\\$`".indexOf(text.charAt(i + 1)) >= 0) {
          word.append(text.charAt(++i));
        } else {
          word.append(c);
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
        inWord = true;
      } else if (c == '\\' && i + 1 < text.length()) {
        word.append(text.charAt(++i));
        inWord = true;
      } else if (Character.isWhitespace(c)) {
        if (inWord) {
          words.add(word.toString());
          word.setLength(0);
          inWord = false;
        }
      } else {
        word.append(c);
        inWord = true;
      }
    }
    if (quote != 0) {
      throw new IllegalArgumentException("unterminated " + quote + " quote in \"" + text + "\"");
    }
    if (inWord) {
      words.add(word.toString());
    }
    return words;
  }
}
