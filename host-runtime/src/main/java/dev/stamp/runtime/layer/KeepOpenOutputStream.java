package dev.stamp.runtime.layer;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/** Lets a compressor finish (close) without closing the blob writer's stream under it. */
final class KeepOpenOutputStream extends FilterOutputStream {

  KeepOpenOutputStream(OutputStream out) {
    super(out);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    out.write(b, off, len);
  }

  @Override
  public void close() throws IOException {
    flush();
  }
}
