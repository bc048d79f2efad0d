package dev.stamp.builder.dockerfile;

import java.util.Locale;
import java.util.Optional;

/**
 * {@code ADD [--chown] [--chmod] [--link] [--exclude]… [--checksum=sha256:…] [--keep-git-dir] src…
 * dest}: like COPY, plus URLs (downloaded, verified against {@code --checksum} when given), Git
 * repositories, and local tar archives (extracted; the format is recognised by content).
 */
public record AddInstruction(
    CopyArgs args, Optional<String> checksum, boolean keepGitDir, SourceLocation location)
    implements Instruction {

  @Override
  public void cacheText(CacheText out) {
    args.pathsText(out);
    args.flagsText(out);
    out.field("checksum", checksum).field("keep-git-dir", keepGitDir);
  }

  /** An http(s) URL source: downloaded, never extracted. */
  public static boolean isUrl(String source) {
    String s = source.toLowerCase(Locale.ROOT);
    return s.startsWith("http://") || s.startsWith("https://");
  }

  /** A Git repository source ({@code git@…}, {@code git://…}, {@code https://….git…}). */
  public static boolean isGitRepository(String source) {
    String s = source.toLowerCase(Locale.ROOT);
    if (s.startsWith("git@") || s.startsWith("git://") || s.startsWith("ssh://")) {
      return true;
    }
    if (isUrl(s)) {
      String path = s.replaceFirst("[?#].*$", "");
      return path.endsWith(".git");
    }
    return false;
  }

  @Override
  public AddInstruction expand(Expander e) throws ExpansionException {
    return new AddInstruction(args.expand(e), e.word(checksum), keepGitDir, location);
  }
}
