package dev.stamp.runtime.layer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Builds tar archives entry by entry, names exactly as given (so tests can craft hostile ones). */
final class Tars {

  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final TarWriter writer = new TarWriter(bytes);

  static Tars tar() {
    return new Tars();
  }

  Tars dir(String name) {
    return dir(name, 0755);
  }

  Tars dir(String name, int mode) {
    return add(TarEntry.directory(name, mode, 0, 0, 1_000_000), null);
  }

  Tars file(String name, String content) {
    return file(name, content, 0644);
  }

  Tars file(String name, String content, int mode) {
    byte[] data = content.getBytes(StandardCharsets.UTF_8);
    return add(TarEntry.file(name, mode, 0, 0, data.length, 1_000_000), data);
  }

  Tars symlink(String name, String target) {
    return add(TarEntry.symlink(name, target, 0, 0, 1_000_000), null);
  }

  Tars hardlink(String name, String target) {
    return add(TarEntry.hardlink(name, target, 0, 0, 1_000_000), null);
  }

  Tars whiteout(String name) {
    return file(name, "", 0);
  }

  Tars fileWithXattr(String name, String content, String xattr, byte[] value) {
    byte[] data = content.getBytes(StandardCharsets.UTF_8);
    return add(
        TarEntry.file(name, 0644, 0, 0, data.length, 1_000_000).withXattrs(Map.of(xattr, value)),
        data);
  }

  Tars add(TarEntry entry, byte[] data) {
    try {
      writer.write(entry, data == null ? null : new ByteArrayInputStream(data));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  byte[] bytes() {
    try {
      writer.finish();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }
}
