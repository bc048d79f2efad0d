package dev.stamp.builder.dockerfile;

import java.util.regex.Pattern;

/**
 * A here-document attached to RUN, COPY or ADD ({@code <<EOF}, {@code <<-EOF}, {@code <<'EOF'}).
 * {@code content} is the body as written (lines with their endings); {@code chomp} is {@code <<-}
 * (leading tabs removed, see {@link #body()}); {@code expand} is false when the delimiter was
 * quoted, so the builder must not substitute variables in it.
 */
public record Heredoc(
    String name, String content, boolean chomp, boolean expand, int fileDescriptor) {

  private static final Pattern LEADING_TABS = Pattern.compile("(?m)^\t+");

  public Heredoc {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("heredoc needs a name");
    }
  }

  /** The content with leading tabs removed from every line when {@code <<-} was used. */
  public String body() {
    return chomp ? LEADING_TABS.matcher(content).replaceAll("") : content;
  }
}
