package dev.stamp.cli;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.container.AttachConnection;
import dev.stamp.runtime.container.DetachKeys;
import dev.stamp.runtime.linux.Terminal;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * One attached client on this process's stdio: container output to stdout/stderr; with stdin, the
 * caller's input to the container, watched for the detach keys; with a tty, the caller's terminal
 * in raw mode (restored on every way out) and its window size passed on at every SIGWINCH.
 */
final class AttachSession {

  /** How the session ended. */
  enum End {
    /** The detach keys were typed: the container runs on. */
    DETACHED,
    /** The container exited; {@link Outcome#exitCode} is its code. */
    EXITED,
    /** The connection ended without an exit code (the monitor went away). */
    LOST
  }

  record Outcome(End end, int exitCode) {}

  private final AttachConnection connection;
  private final DetachKeys keys;
  private final boolean tty;
  private final boolean sendStdin;
  private final boolean endInputOnEof;
  private volatile boolean detached;

  /**
   * @param endInputOnEof at the end of this process's stdin, close the container's (as {@code
   *     docker run -i} does; {@code attach} leaves it open for the next client)
   */
  AttachSession(
      AttachConnection connection,
      DetachKeys keys,
      boolean tty,
      boolean sendStdin,
      boolean endInputOnEof) {
    this.connection = connection;
    this.keys = keys;
    this.tty = tty;
    this.sendStdin = sendStdin;
    this.endInputOnEof = endInputOnEof;
  }

  /** The caller's window size, if any of its stdio is a terminal. */
  static Optional<Terminal.Size> windowSize() {
    for (int fd = 0; fd < 3; fd++) {
      if (Terminal.isTerminal(fd)) {
        return Terminal.size(fd);
      }
    }
    return Optional.empty();
  }

  Outcome run() throws HostRuntimeException {
    Terminal.RawMode raw = tty && sendStdin && Terminal.isTerminal(0) ? Terminal.raw(0) : null;
    SignalHandler previousWinch = tty ? Signal.handle(new Signal("WINCH"), s -> sendSize()) : null;
    try {
      if (tty) {
        sendSize();
      }
      if (sendStdin) {
        Thread input = new Thread(this::pumpInput, "stamp-attach-stdin");
        input.setDaemon(true); // blocked in read(0) when the container exits: never waited for
        input.start();
      }
      return relayOutput();
    } finally {
      if (previousWinch != null) {
        Signal.handle(new Signal("WINCH"), previousWinch);
      }
      if (raw != null) {
        raw.close();
        if (detached) {
          System.out.println(); // the host's prompt on a line of its own
        }
      }
      connection.close();
    }
  }

  private void sendSize() {
    windowSize()
        .ifPresent(
            s -> {
              try {
                connection.sendWindowSize(s.rows(), s.cols());
              } catch (IOException e) {
                // the connection is gone: the output side ends the session
              }
            });
  }

  private Outcome relayOutput() {
    OutputStream out = new FileOutputStream(FileDescriptor.out);
    OutputStream err = new FileOutputStream(FileDescriptor.err);
    try {
      AttachConnection.Frame f;
      while ((f = connection.read()) != null) {
        if (f.type() == AttachConnection.EXIT) {
          return new Outcome(End.EXITED, f.exitCode());
        }
        OutputStream to = f.type() == AttachConnection.STDERR ? err : out;
        to.write(f.data());
        to.flush();
      }
    } catch (IOException e) {
      // closed by the input side on detach, or the monitor went away
    }
    return new Outcome(detached ? End.DETACHED : End.LOST, -1);
  }

  private void pumpInput() {
    InputStream in = new FileInputStream(FileDescriptor.in);
    DetachKeys.Matcher matcher = keys.matcher();
    // From a terminal, one byte per read: what is typed after the detach keys stays in the
    // terminal for the host's shell instead of being swallowed with them (a tty cannot be given
    // input back). A person types slowly; a pipe is read in large blocks.
    byte[] buf = new byte[Terminal.isTerminal(0) ? 1 : 8192];
    try {
      int n;
      while ((n = in.read(buf)) > 0) {
        DetachKeys.Result r = matcher.feed(buf, n);
        if (r.forward().length > 0) {
          connection.sendInput(r.forward(), 0, r.forward().length);
        }
        if (r.detached()) {
          detached = true;
          connection.close(); // ends relayOutput's read
          return;
        }
      }
      if (endInputOnEof) {
        connection.sendEndOfInput();
      }
    } catch (IOException e) {
      // the connection is gone: the output side ends the session
    }
  }
}
