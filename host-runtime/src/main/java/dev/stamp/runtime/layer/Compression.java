package dev.stamp.runtime.layer;

import com.github.luben.zstd.ZstdInputStream;
import com.github.luben.zstd.ZstdOutputStream;
import dev.stamp.runtime.image.MediaType;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/** How a layer blob is compressed; detected from its first bytes, whatever its media type says. */
public enum Compression {
  NONE(MediaType.OCI_LAYER_TAR),
  GZIP(MediaType.OCI_LAYER_TAR_GZIP),
  ZSTD(MediaType.OCI_LAYER_TAR_ZSTD);

  private static final int BUFFER = 64 * 1024;

  private final String mediaType;

  Compression(String mediaType) {
    this.mediaType = mediaType;
  }

  /** The OCI layer media type for this compression. */
  public String mediaType() {
    return mediaType;
  }

  /** Peeks at the magic bytes: gzip 1f 8b, zstd 28 b5 2f fd, anything else is a plain tar. */
  public static Compression detect(BufferedInputStream in) throws IOException {
    in.mark(4);
    byte[] magic = in.readNBytes(4);
    in.reset();
    if (magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
      return GZIP;
    }
    if (magic.length == 4
        && (magic[0] & 0xff) == 0x28
        && (magic[1] & 0xff) == 0xb5
        && (magic[2] & 0xff) == 0x2f
        && (magic[3] & 0xff) == 0xfd) {
      return ZSTD;
    }
    return NONE;
  }

  /** The uncompressed bytes of {@code in}. */
  public InputStream decompress(InputStream in) throws IOException {
    return switch (this) {
      case NONE -> in;
      case GZIP -> new GZIPInputStream(in, BUFFER);
      case ZSTD -> new ZstdInputStream(in);
    };
  }

  /**
   * A compressing stream over {@code out}; gzip output is deterministic (mtime 0, no name, level 6)
   * and closing it finishes the compressed stream and closes {@code out}.
   */
  public OutputStream compress(OutputStream out) throws IOException {
    return switch (this) {
      case NONE -> out;
      case GZIP -> new GZIPOutputStream(out, BUFFER);
      case ZSTD -> new ZstdOutputStream(out, 3);
    };
  }
}
