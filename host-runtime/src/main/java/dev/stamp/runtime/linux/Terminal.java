package dev.stamp.runtime.linux;

import dev.stamp.runtime.HostRuntimeException;
import java.util.Optional;

/**
 * The caller's terminal: whether an fd is one, its window size, and raw mode that is always undone
 * (on close, and by a shutdown hook when SIGTERM, SIGHUP or SIGINT ends the JVM first).
 */
public final class Terminal {

  private static final LibC C = LibC.INSTANCE;

  private Terminal() {}

  /** Rows and columns of a terminal window. */
  public record Size(int rows, int cols) {}

  public static boolean isTerminal(int fd) {
    return C.isatty(fd) == 1;
  }

  /** The window size of the terminal on {@code fd}, if it is one. */
  public static Optional<Size> size(int fd) {
    byte[] ws = new byte[8]; // struct winsize: ws_row, ws_col, ws_xpixel, ws_ypixel (u16 each)
    if (C.ioctl(fd, LibC.TIOCGWINSZ, ws) < 0) {
      return Optional.empty();
    }
    return Optional.of(new Size(u16(ws, 0), u16(ws, 2)));
  }

  private static int u16(byte[] b, int at) {
    return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8; // little endian (x86_64)
  }

  /** Puts the terminal on {@code fd} in raw mode until the returned handle is closed. */
  public static RawMode raw(int fd) throws HostRuntimeException {
    byte[] saved = new byte[LibC.TERMIOS_BYTES];
    if (C.tcgetattr(fd, saved) < 0) {
      throw HostRuntimeException.failed(LibC.describe("put the terminal in raw mode: tcgetattr"));
    }
    RawMode mode = new RawMode(fd, saved);
    byte[] raw = saved.clone();
    C.cfmakeraw(raw);
    if (C.tcsetattr(fd, LibC.TCSANOW, raw) < 0) {
      throw HostRuntimeException.failed(LibC.describe("put the terminal in raw mode: tcsetattr"));
    }
    mode.guard();
    return mode;
  }

  /** Raw mode in force; {@link #close} restores the saved settings (once). */
  public static final class RawMode implements AutoCloseable {
    private final int fd;
    private final byte[] saved;
    private final Thread hook = new Thread(this::restore, "stamp-terminal-restore");
    private boolean restored;

    private RawMode(int fd, byte[] saved) {
      this.fd = fd;
      this.saved = saved;
    }

    private void guard() {
      java.lang.Runtime.getRuntime().addShutdownHook(hook);
    }

    private synchronized void restore() {
      if (!restored) {
        restored = true;
        C.tcsetattr(fd, LibC.TCSANOW, saved);
      }
    }

    @Override
    public void close() {
      restore();
      try {
        java.lang.Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // the JVM is shutting down: the hook has restored the terminal or is about to
      }
    }
  }
}
