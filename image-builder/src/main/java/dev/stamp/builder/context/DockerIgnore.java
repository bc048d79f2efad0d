package dev.stamp.builder.context;

import dev.stamp.builder.BuildException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A .dockerignore: which build-context paths are left out. Docker's semantics: one pattern per
 * line, {@code #} comments, leading and trailing spaces, a leading {@code /} and {@code ./}
 * ignored, patterns cleaned like paths; {@code *}, {@code ?}, {@code [..]}, {@code **}; {@code
 * !pattern} re- includes; the last matching line wins; a path is out when it or one of its parent
 * directories is.
 */
public final class DockerIgnore {

  private final List<IgnorePattern> patterns;
  private final boolean hasExceptions;

  private DockerIgnore(List<IgnorePattern> patterns) {
    this.patterns = List.copyOf(patterns);
    this.hasExceptions = patterns.stream().anyMatch(IgnorePattern::exclusion);
  }

  /** Nothing ignored. */
  public static DockerIgnore empty() {
    return new DockerIgnore(List.of());
  }

  /** Parses .dockerignore content; {@code source} names the file in error messages. */
  public static DockerIgnore parse(String source, String content) throws BuildException {
    List<String> lines = new ArrayList<>();
    boolean first = true;
    for (String line : content.split("\n", -1)) {
      if (first && line.startsWith("\uFEFF")) {
        line = line.substring(1);
      }
      first = false;
      if (line.startsWith("#")) {
        continue;
      }
      String pattern = line.strip();
      if (pattern.isEmpty()) {
        continue;
      }
      boolean invert = pattern.startsWith("!");
      if (invert) {
        pattern = pattern.substring(1).strip();
      }
      if (!pattern.isEmpty()) {
        pattern = GoPath.clean(pattern);
        if (pattern.length() > 1 && pattern.startsWith("/")) {
          pattern = pattern.substring(1);
        }
      }
      lines.add(invert ? "!" + pattern : pattern);
    }
    try {
      return of(lines);
    } catch (IllegalArgumentException e) {
      throw BuildException.badInput("read " + source + ": " + e.getMessage());
    }
  }

  /** Compiles already-cleaned patterns (as {@link #patterns()} returns them). */
  public static DockerIgnore of(List<String> patterns) {
    List<IgnorePattern> compiled = new ArrayList<>();
    for (String p : patterns) {
      String trimmed = p.strip();
      if (trimmed.isEmpty()) {
        continue;
      }
      if (trimmed.startsWith("!")) {
        String body = trimmed.substring(1);
        compiled.add(IgnorePattern.compile("!" + (body.isEmpty() ? "" : GoPath.clean(body))));
      } else {
        compiled.add(IgnorePattern.compile(GoPath.clean(trimmed)));
      }
    }
    return new DockerIgnore(compiled);
  }

  /**
   * The ignore file for a build: {@code <Dockerfile name>.dockerignore} next to the Dockerfile when
   * it exists, else {@code CONTEXT/.dockerignore}, else nothing ignored.
   */
  public static DockerIgnore load(Path contextDir, Path dockerfile) throws BuildException {
    Path specific = dockerfile.resolveSibling(dockerfile.getFileName() + ".dockerignore");
    for (Path candidate : List.of(specific, contextDir.resolve(".dockerignore"))) {
      ContextPaths.checkInside(contextDir, candidate, ".dockerignore");
      try {
        String content = Files.readString(candidate, StandardCharsets.UTF_8);
        return parse(candidate.toString(), content);
      } catch (NoSuchFileException e) {
        continue;
      } catch (IOException e) {
        throw BuildException.failed("read " + candidate + ": " + e.getMessage(), e);
      }
    }
    return empty();
  }

  /** The patterns, cleaned, exceptions with their {@code !}. */
  public List<String> patterns() {
    return patterns.stream().map(IgnorePattern::toString).toList();
  }

  /** Whether some pattern is an exception ({@code !…}). */
  public boolean hasExceptions() {
    return hasExceptions;
  }

  /**
   * Whether {@code relPath} itself matches (last matching pattern wins; parents not consulted).
   * Paths are relative and slash-separated, as {@link ContextFiles} produces them.
   */
  public boolean matches(String relPath) {
    String path = relPath;
    boolean matched = false;
    for (IgnorePattern p : patterns) {
      if (p.exclusion() != matched) {
        continue;
      }
      if (p.matches(path)) {
        matched = !p.exclusion();
      }
    }
    return matched;
  }

  /**
   * Whether {@code relPath} is left out of the context: it, or one of its parent directories,
   * matches a pattern that a later exception does not undo.
   */
  public boolean isExcluded(String relPath) {
    String path = relPath;
    if (path.equals(".") || path.isEmpty()) {
      return false;
    }
    int slash = path.lastIndexOf('/');
    String parent = slash < 0 ? "." : GoPath.clean(path.substring(0, Math.max(slash, 1)));
    List<String> parents = parent.equals(".") ? List.of() : List.of(parent.split("/", -1));
    boolean matched = false;
    for (IgnorePattern p : patterns) {
      if (p.exclusion() != matched) {
        continue;
      }
      boolean match = p.matches(path);
      for (int i = 0; !match && i < parents.size(); i++) {
        match = p.matches(String.join("/", parents.subList(0, i + 1)));
      }
      if (match) {
        matched = !p.exclusion();
      }
    }
    return matched;
  }

  /**
   * Whether an exception could re-include something inside the excluded directory {@code dir}: if
   * not, a walker can skip the whole directory.
   */
  public boolean mayIncludeUnder(String dir) {
    if (!hasExceptions) {
      return false;
    }
    String[] parts = normalize(dir).split("/");
    for (IgnorePattern p : patterns) {
      if (!p.exclusion()) {
        continue;
      }
      List<String> pdirs = p.dirs();
      boolean possible = true;
      for (int i = 0; i < parts.length && i < pdirs.size(); i++) {
        String component = pdirs.get(i);
        if (component.contains("**")) {
          break;
        }
        if (!IgnorePattern.compile(component).matches(parts[i])) {
          possible = false;
          break;
        }
      }
      if (possible && pdirs.size() > 0) {
        return true;
      }
    }
    return false;
  }

  private static String normalize(String relPath) {
    String p = relPath.replace('\\', '/');
    p = GoPath.clean(p);
    while (p.startsWith("/")) {
      p = p.substring(1);
    }
    return p.isEmpty() ? "." : p;
  }
}
