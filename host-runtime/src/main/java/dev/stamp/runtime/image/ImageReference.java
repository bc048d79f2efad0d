package dev.stamp.runtime.image;

import dev.stamp.runtime.HostRuntimeException;
import java.util.regex.Pattern;

/**
 * A Docker image reference, normalised: {@code busybox} is {@code
 * docker.io/library/busybox:latest}. Grammar (distribution/reference): {@code [HOST[:PORT]/]PATH
 * [:TAG][@DIGEST]}; the first path component is a host when it contains '.' or ':' or is {@code
 * localhost}; path components are lowercase {@code [a-z0-9]+} joined by '.', '_', '__' or dashes;
 * tags are {@code [\w][\w.-]{0,127}}. Without tag and digest the tag is {@code latest}; with only a
 * digest, {@link #tag()} is null.
 */
public record ImageReference(String registry, String repository, String tag, Digest digest) {

  public static final String DOCKER_HUB = "docker.io";
  public static final String DEFAULT_TAG = "latest";

  private static final String SYNTAX = "[REGISTRY[:PORT]/]REPOSITORY[:TAG][@DIGEST]";
  private static final Pattern DOMAIN =
      Pattern.compile(
          "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
              + "(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*"
              + "(?::[0-9]+)?"
              + "|\\[[0-9a-fA-F:.]+\\](?::[0-9]+)?");
  private static final Pattern PATH =
      Pattern.compile(
          "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*");
  private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
  private static final int MAX_NAME = 255;

  public ImageReference {
    if (registry == null || repository == null || (tag == null && digest == null)) {
      throw new IllegalArgumentException(
          "image reference needs a registry, a repository and a tag or digest");
    }
  }

  /** Parses and normalises {@code text}; BAD_INPUT naming the input and what was expected. */
  public static ImageReference parse(String text) throws HostRuntimeException {
    if (text == null || text.isEmpty()) {
      throw bad(text, "expected " + SYNTAX);
    }
    String rest = text;
    Digest digest = null;
    int at = rest.indexOf('@');
    if (at >= 0) {
      digest = parseDigest(text, rest.substring(at + 1));
      rest = rest.substring(0, at);
    }
    String tag = null;
    int colon = rest.lastIndexOf(':');
    if (colon > rest.lastIndexOf('/')) {
      tag = rest.substring(colon + 1);
      if (!TAG.matcher(tag).matches()) {
        throw bad(text, "tag \"" + tag + "\" must match [\\w][\\w.-]{0,127}");
      }
      rest = rest.substring(0, colon);
    }
    if (tag == null && digest == null) {
      tag = DEFAULT_TAG;
    }
    String[] split = splitDomain(rest);
    String registry = split[0];
    String repository = split[1];
    validateName(text, registry, repository);
    return new ImageReference(registry, repository, tag, digest);
  }

  /** Whether {@code text} parses (a name rather than, say, an image id). */
  public static boolean isValid(String text) {
    try {
      parse(text);
      return true;
    } catch (HostRuntimeException e) {
      return false;
    }
  }

  /** {@code registry/repository}, e.g. {@code docker.io/library/busybox}. */
  public String name() {
    return registry + "/" + repository;
  }

  /** The name as Docker prints it: {@code busybox}, {@code localhost:5000/a/b}. */
  public String familiarName() {
    if (!registry.equals(DOCKER_HUB)) {
      return name();
    }
    if (repository.startsWith("library/") && repository.indexOf('/', 8) < 0) {
      return repository.substring(8);
    }
    return repository;
  }

  /** The short form Docker prints: {@code busybox:latest}, {@code localhost:5000/x@sha256:…}. */
  public String familiar() {
    return familiarName() + suffix();
  }

  public ImageReference withTag(String newTag) throws HostRuntimeException {
    return parse(name() + ":" + newTag);
  }

  public ImageReference withDigest(Digest newDigest) {
    return new ImageReference(registry, repository, tag, newDigest);
  }

  /** The same name and tag without the digest ({@code latest} when there was no tag). */
  public ImageReference withoutDigest() {
    return new ImageReference(registry, repository, tag == null ? DEFAULT_TAG : tag, null);
  }

  /** Full form: {@code docker.io/library/busybox:latest}. */
  @Override
  public String toString() {
    return name() + suffix();
  }

  private String suffix() {
    return (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest);
  }

  private static String[] splitDomain(String name) {
    int slash = name.indexOf('/');
    if (slash > 0) {
      String first = name.substring(0, slash);
      if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
        String domain = first.equals("index.docker.io") ? DOCKER_HUB : first;
        String path = name.substring(slash + 1);
        if (domain.equals(DOCKER_HUB) && path.indexOf('/') < 0) {
          path = "library/" + path;
        }
        return new String[] {domain, path};
      }
    }
    return new String[] {DOCKER_HUB, name.indexOf('/') < 0 ? "library/" + name : name};
  }

  private static void validateName(String text, String registry, String repository)
      throws HostRuntimeException {
    if (!DOMAIN.matcher(registry).matches()) {
      throw bad(text, "registry \"" + registry + "\" must be HOST[:PORT]");
    }
    if (!PATH.matcher(repository).matches()) {
      if (PATH.matcher(repository.toLowerCase(java.util.Locale.ROOT)).matches()) {
        throw bad(text, "repository name must be lowercase");
      }
      throw bad(
          text,
          "repository \""
              + repository
              + "\" must be lowercase [a-z0-9] components separated by '.', '_', '__', '-' or '/'");
    }
    if (registry.length() + 1 + repository.length() > MAX_NAME) {
      throw bad(text, "name longer than " + MAX_NAME + " characters");
    }
  }

  private static Digest parseDigest(String text, String digest) throws HostRuntimeException {
    try {
      return Digest.parse(digest);
    } catch (HostRuntimeException e) {
      throw bad(text, "digest \"" + digest + "\" must be sha256:<64 lowercase hex>");
    }
  }

  private static HostRuntimeException bad(String text, String why) {
    return HostRuntimeException.badInput("invalid reference \"" + text + "\": " + why);
  }
}
