package dev.stamp.controller.distribution;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One byte range of a {@code Range: bytes=…} header (RFC 9110 §14.1.2) resolved against a blob's
 * size: {@code first-last}, {@code first-} or {@code -suffix}. Several ranges, other units and
 * malformed headers are ignored (the whole blob is sent, as the RFC allows).
 */
record ByteRange(long first, long last) {

  private static final Pattern SINGLE = Pattern.compile("bytes=(\\d{0,18})-(\\d{0,18})");

  long length() {
    return last - first + 1;
  }

  /** {@code bytes first-last/size}, the {@code Content-Range} of a 206. */
  String contentRange(long size) {
    return "bytes " + first + "-" + last + "/" + size;
  }

  /** What the header asks for, when anything a single range can answer. */
  static Parsed parse(String header, long size) {
    if (header == null) {
      return Parsed.WHOLE;
    }
    Matcher m = SINGLE.matcher(header.strip());
    if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
      return Parsed.WHOLE;
    }
    long first;
    long last;
    if (m.group(1).isEmpty()) {
      long suffix = Long.parseLong(m.group(2));
      if (suffix == 0 || size == 0) {
        return Parsed.UNSATISFIABLE;
      }
      first = Math.max(0, size - suffix);
      last = size - 1;
    } else {
      first = Long.parseLong(m.group(1));
      last = m.group(2).isEmpty() ? size - 1 : Math.min(Long.parseLong(m.group(2)), size - 1);
      if (!m.group(2).isEmpty() && Long.parseLong(m.group(2)) < first) {
        return Parsed.WHOLE; // syntactically invalid: ignored
      }
      if (first >= size) {
        return Parsed.UNSATISFIABLE;
      }
    }
    return new Parsed(Optional.of(new ByteRange(first, last)), false);
  }

  /** The outcome: a range, the whole blob (empty, not unsatisfiable), or 416. */
  record Parsed(Optional<ByteRange> range, boolean unsatisfiable) {
    static final Parsed WHOLE = new Parsed(Optional.empty(), false);
    static final Parsed UNSATISFIABLE = new Parsed(Optional.empty(), true);
  }
}
