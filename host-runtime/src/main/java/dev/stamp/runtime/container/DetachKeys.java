package dev.stamp.runtime.container;

import dev.stamp.runtime.HostRuntimeException;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Locale;

/**
 * The key sequence that detaches a client from a container, in Docker's syntax: comma-separated
 * keys, each a single character or {@code ctrl-<value>} with value one of a-z, @, [, \, ], ^, _
 * (default {@code ctrl-p,ctrl-q}).
 */
public final class DetachKeys {

  public static final String DEFAULT_SPEC = "ctrl-p,ctrl-q";
  public static final DetachKeys DEFAULT = parseDefault();

  private final String spec;
  private final byte[] sequence;

  private DetachKeys(String spec, byte[] sequence) {
    this.spec = spec;
    this.sequence = sequence;
  }

  /** Parses a spec, or BAD_INPUT naming it and the key that does not parse. */
  public static DetachKeys parse(String spec) throws HostRuntimeException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (String key : spec.split(",", -1)) {
      int code = code(key);
      if (code < 0) {
        throw HostRuntimeException.badInput(
            "--detach-keys "
                + spec
                + ": unknown key \""
                + key
                + "\" (use single characters and ctrl-<a-z, @, [, \\, ], ^, _>, comma separated)");
      }
      out.write(code);
    }
    return new DetachKeys(spec, out.toByteArray());
  }

  private static int code(String key) {
    if (key.length() == 1) {
      char c = key.charAt(0);
      return c < 0x80 ? c : -1;
    }
    String k = key.toLowerCase(Locale.ROOT);
    if (k.length() != 6 || !k.startsWith("ctrl-")) {
      return -1;
    }
    char c = k.charAt(5);
    if (c >= 'a' && c <= 'z') {
      return c - 'a' + 1;
    }
    int at = "@[\\]^_".indexOf(c);
    return at < 0 ? -1 : at == 0 ? 0 : 27 + at - 1;
  }

  private static DetachKeys parseDefault() {
    try {
      return parse(DEFAULT_SPEC);
    } catch (HostRuntimeException e) {
      throw new IllegalStateException(e);
    }
  }

  public String spec() {
    return spec;
  }

  /** The bytes a terminal sends for the sequence. */
  public byte[] sequence() {
    return sequence.clone();
  }

  /** A fresh matcher over one input stream. */
  public Matcher matcher() {
    return new Matcher(sequence);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DetachKeys d && Arrays.equals(sequence, d.sequence);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(sequence);
  }

  @Override
  public String toString() {
    return spec;
  }

  /**
   * Watches input for the sequence, as Docker's escape proxy does: bytes that could start the
   * sequence are held back; if the sequence completes, the client detaches and they are never sent;
   * if it breaks off, they are sent after all, in order.
   */
  public static final class Matcher {
    private final byte[] sequence;
    private int matched;

    private Matcher(byte[] sequence) {
      this.sequence = sequence;
    }

    /** What to forward from {@code len} bytes of input, and whether the sequence completed. */
    public Result feed(byte[] input, int len) {
      ByteArrayOutputStream forward = new ByteArrayOutputStream(len + sequence.length);
      for (int i = 0; i < len; i++) {
        byte b = input[i];
        if (b == sequence[matched]) {
          matched++;
          if (matched == sequence.length) {
            matched = 0;
            return new Result(forward.toByteArray(), true);
          }
          continue;
        }
        forward.write(sequence, 0, matched); // a broken-off prefix: it was input after all
        matched = 0;
        if (b == sequence[0]) {
          matched = 1;
          if (sequence.length == 1) {
            return new Result(forward.toByteArray(), true);
          }
        } else {
          forward.write(b);
        }
      }
      return new Result(forward.toByteArray(), false);
    }
  }

  /** Bytes to pass on, and whether the client detaches (the rest of the input is dropped). */
  public record Result(byte[] forward, boolean detached) {}
}
