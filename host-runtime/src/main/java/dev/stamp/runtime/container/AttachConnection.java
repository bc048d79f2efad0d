package dev.stamp.runtime.container;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.linux.LibC;
import java.io.EOFException;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * A client's connection to an interactive container's monitor (its {@code attach.sock}; the frame
 * format is described in attach.c). One thread may send while another reads.
 */
public final class AttachConnection implements AutoCloseable {

  /** Frame types the monitor sends. */
  public static final int STDOUT = 1;

  public static final int STDERR = 2;
  public static final int EXIT = 'x';

  private static final int MAX_FRAME = 65536;

  private final SocketChannel channel;

  private AttachConnection(SocketChannel channel) {
    this.channel = channel;
  }

  /**
   * Connects to {@code socket} through {@code /proc/self/fd/N/NAME} (an O_PATH fd of its
   * directory), since a unix socket path must fit in 108 bytes and a state root may be deep.
   */
  static AttachConnection connect(Path socket, String action) throws HostRuntimeException {
    LibC c = LibC.INSTANCE;
    int dir = c.open(socket.getParent().toString(), LibC.O_PATH | LibC.O_CLOEXEC, 0);
    if (dir < 0) {
      throw HostRuntimeException.failed(LibC.describe(action + ": open " + socket.getParent()));
    }
    try {
      Path viaFd = Path.of("/proc/self/fd/" + dir, socket.getFileName().toString());
      return new AttachConnection(SocketChannel.open(UnixDomainSocketAddress.of(viaFd)));
    } catch (IOException e) {
      throw HostRuntimeException.failed(
          action + ": connect to " + socket + ": " + e.getMessage(), e);
    } finally {
      c.close(dir);
    }
  }

  /** Input for the container's stdin (at most 64 KiB a call is framed at a time). */
  public void sendInput(byte[] data, int off, int len) throws IOException {
    for (int at = off; at < off + len; at += MAX_FRAME) {
      send('i', ByteBuffer.wrap(data, at, Math.min(MAX_FRAME, off + len - at)));
    }
  }

  /** The client's window size (applied to the container's pty). */
  public void sendWindowSize(int rows, int cols) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(4).putShort((short) rows).putShort((short) cols).flip();
    send('w', b);
  }

  /** End of input: the container's stdin pipe is closed (no effect with a tty). */
  public void sendEndOfInput() throws IOException {
    send('e', ByteBuffer.allocate(0));
  }

  private synchronized void send(int type, ByteBuffer payload) throws IOException {
    ByteBuffer header = ByteBuffer.allocate(5).put((byte) type).putInt(payload.remaining()).flip();
    ByteBuffer[] frame = {header, payload};
    while (payload.hasRemaining() || header.hasRemaining()) {
      channel.write(frame);
    }
  }

  /** The next frame from the monitor; null when the connection ends without one. */
  public Frame read() throws IOException {
    ByteBuffer header = ByteBuffer.allocate(5);
    if (!fill(header)) {
      return null;
    }
    int type = header.get(0) & 0xff;
    int len = header.getInt(1);
    if (len < 0 || len > MAX_FRAME) {
      throw new IOException("bad frame from the container's monitor (length " + len + ")");
    }
    ByteBuffer payload = ByteBuffer.allocate(len);
    if (!fill(payload)) {
      throw new EOFException("the container's monitor went away mid-frame");
    }
    return new Frame(type, payload.array());
  }

  private boolean fill(ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      if (channel.read(b) < 0) {
        return false;
      }
    }
    return true;
  }

  /** Detaches: the container runs on. */
  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      // closing a unix socket does not fail in a way the caller could act on
    }
  }

  /** One frame: {@link #STDOUT} or {@link #STDERR} with data, or {@link #EXIT} with the code. */
  public record Frame(int type, byte[] data) {
    public int exitCode() {
      return ByteBuffer.wrap(data).getInt();
    }
  }
}
