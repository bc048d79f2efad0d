package dev.stamp.builder.dockerfile;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * An instruction's cache-relevant inputs as explicit text: the keyword, then one line per field,
 * {@code name=LENGTH:value} (length-prefixed, so no two field lists read alike). Each instruction
 * writes its own fields by name ({@link Instruction#cacheText}); where it is written (line, column)
 * never is. The text is part of every build cache key, so it must not depend on Java names ({@code
 * toString()} of a record would): changing it invalidates every cache once.
 */
public final class CacheText {

  private final StringBuilder out = new StringBuilder();

  private CacheText(String keyword) {
    out.append(keyword).append('\n');
  }

  /** The cache text of {@code in}. */
  public static String of(Instruction in) {
    CacheText text = new CacheText(in.keyword());
    in.cacheText(text);
    return text.toString();
  }

  public CacheText field(String name, String value) {
    out.append(name);
    if (value == null) {
      out.append("=-\n");
    } else {
      out.append('=').append(value.length()).append(':').append(value).append('\n');
    }
    return this;
  }

  public CacheText field(String name, boolean value) {
    return field(name, value ? "true" : "false");
  }

  public CacheText field(String name, Optional<?> value) {
    return field(name, value.map(String::valueOf).orElse(null));
  }

  public CacheText durationField(String name, Optional<Duration> value) {
    return field(name, value.map(d -> String.valueOf(d.toNanos())).orElse(null));
  }

  public CacheText field(String name, List<String> values) {
    return list(name, values, v -> field(" ", v));
  }

  public CacheText pairs(String name, List<KeyValue> pairs) {
    return list(name, pairs, kv -> field(" key", kv.key()).field(" value", kv.value()));
  }

  public CacheText command(String name, ShellOrExec command) {
    field(name + ".exec", command.exec());
    return field(name, command.args());
  }

  /** Here-documents: name, content as written, chomp and expand, file descriptor. */
  public CacheText heredocs(String name, List<Heredoc> docs) {
    return list(
        name,
        docs,
        d ->
            field(" name", d.name())
                .field(" content", d.content())
                .field(" chomp", d.chomp())
                .field(" expand", d.expand())
                .field(" fd", String.valueOf(d.fileDescriptor())));
  }

  /** RUN mounts by their parsed options (never the option text as written). */
  public CacheText mounts(String name, List<RunMount> mounts) {
    return list(
        name,
        mounts,
        m ->
            field(" type", m.type())
                .field(" from", m.from())
                .field(" source", m.source())
                .field(" target", m.target())
                .field(" readonly", m.readOnly())
                .field(" id", m.id())
                .field(" sharing", m.sharing())
                .field(" required", m.required())
                .field(" mode", m.mode())
                .field(" uid", m.uid())
                .field(" gid", m.gid())
                .field(" size", m.size())
                .field(" env", m.env()));
  }

  /** {@code name#COUNT}, then each item's fields as {@code each} writes them. */
  private <T> CacheText list(String name, List<T> items, Consumer<T> each) {
    out.append(name).append('#').append(items.size()).append('\n');
    items.forEach(each);
    return this;
  }

  @Override
  public String toString() {
    return out.toString();
  }
}
