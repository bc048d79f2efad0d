package dev.stamp.builder.engine;

import dev.stamp.runtime.image.ImageReference;
import dev.stamp.runtime.layer.Compression;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What to build: the context directory, the Dockerfile (may lie outside the context), names for the
 * result, build args, the target stage, whether to ignore the cache, extra outputs, the
 * SOURCE_DATE_EPOCH (seconds; every timestamp is clamped to it), layer compression, and labels to
 * add to the image (e.g. {@code org.opencontainers.image.revision}), whether to pull every base
 * image afresh ({@code --pull}), and the secrets {@code RUN --mount=type=secret} may mount, by id
 * (never part of a layer, the config or a cache key), and the {@link Entitlement}s the caller
 * grants (none by default: {@code RUN --network=host} is refused unless {@code allow} has {@link
 * Entitlement#NETWORK_HOST}).
 */
public record BuildRequest(
    Path contextDir,
    Path dockerfile,
    List<ImageReference> tags,
    Map<String, String> buildArgs,
    Optional<String> target,
    boolean noCache,
    List<OutputSpec> outputs,
    long sourceDateEpoch,
    Compression compression,
    boolean keepCompressed,
    Map<String, String> labels,
    boolean pull,
    Map<String, BuildSecret> secrets,
    Set<Entitlement> allow) {

  public BuildRequest {
    allow = allow.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(allow));
    tags = List.copyOf(tags);
    buildArgs = Map.copyOf(buildArgs);
    outputs = List.copyOf(outputs);
    labels = Map.copyOf(labels);
    secrets = Map.copyOf(secrets);
  }

  /** A request with defaults: {@code CONTEXT/Dockerfile}, no tags, gzip, epoch 0. */
  public static BuildRequest of(Path contextDir) {
    return new BuildRequest(
        contextDir,
        contextDir.resolve("Dockerfile"),
        List.of(),
        Map.of(),
        Optional.empty(),
        false,
        List.of(),
        0,
        Compression.GZIP,
        false,
        Map.of(),
        false,
        Map.of(),
        Set.of());
  }

  public BuildRequest withDockerfile(Path file) {
    return with(f -> f.dockerfile = file);
  }

  public BuildRequest withTags(List<ImageReference> newTags) {
    return with(f -> f.tags = newTags);
  }

  public BuildRequest withBuildArgs(Map<String, String> args) {
    return with(f -> f.buildArgs = args);
  }

  public BuildRequest withTarget(String stage) {
    return with(f -> f.target = Optional.ofNullable(stage));
  }

  public BuildRequest withNoCache(boolean value) {
    return with(f -> f.noCache = value);
  }

  public BuildRequest withOutputs(List<OutputSpec> value) {
    return with(f -> f.outputs = value);
  }

  public BuildRequest withSourceDateEpoch(long value) {
    return with(f -> f.sourceDateEpoch = value);
  }

  public BuildRequest withCompression(Compression value) {
    return with(f -> f.compression = value);
  }

  /**
   * Keep new layers in the local store compressed as {@link #compression()} says, so that the
   * image's manifest digest in the store is the one a push gives (what a controller that pushes to
   * a registry records and its hosts run); off by default (see {@link #storedCompression()}).
   */
  public BuildRequest withKeepCompressed(boolean value) {
    return with(f -> f.keepCompressed = value);
  }

  /**
   * How new layers are kept in the local store: gzip (the default) is kept as a plain tar (its diff
   * id is its digest, nothing to compress on a rebuild) and compressed once, deterministically,
   * when pushed ({@code ImagePusher}), as buildah does; zstd is written as asked.
   */
  public Compression storedCompression() {
    return compression == Compression.GZIP && !keepCompressed ? Compression.NONE : compression;
  }

  public BuildRequest withLabels(Map<String, String> value) {
    return with(f -> f.labels = value);
  }

  public BuildRequest withPull(boolean value) {
    return with(f -> f.pull = value);
  }

  public BuildRequest withSecrets(Map<String, BuildSecret> value) {
    return with(f -> f.secrets = value);
  }

  /** A copy that grants {@code value} (BuildKit's {@code --allow}); replaces any earlier grant. */
  public BuildRequest withAllow(Set<Entitlement> value) {
    return with(f -> f.allow = value);
  }

  /** Whether the caller granted {@code e}. */
  public boolean allows(Entitlement e) {
    return allow.contains(e);
  }

  /** A copy with the fields {@code change} sets; every other field as in this request. */
  private BuildRequest with(java.util.function.Consumer<Fields> change) {
    Fields f = new Fields(this);
    change.accept(f);
    return f.toRequest();
  }

  /** The record's fields, settable, for {@link #with}. */
  private static final class Fields {
    Path contextDir;
    Path dockerfile;
    List<ImageReference> tags;
    Map<String, String> buildArgs;
    Optional<String> target;
    boolean noCache;
    List<OutputSpec> outputs;
    long sourceDateEpoch;
    Compression compression;
    boolean keepCompressed;
    Map<String, String> labels;
    boolean pull;
    Map<String, BuildSecret> secrets;
    Set<Entitlement> allow;

    Fields(BuildRequest r) {
      contextDir = r.contextDir;
      dockerfile = r.dockerfile;
      tags = r.tags;
      buildArgs = r.buildArgs;
      target = r.target;
      noCache = r.noCache;
      outputs = r.outputs;
      sourceDateEpoch = r.sourceDateEpoch;
      compression = r.compression;
      keepCompressed = r.keepCompressed;
      labels = r.labels;
      pull = r.pull;
      secrets = r.secrets;
      allow = r.allow;
    }

    BuildRequest toRequest() {
      return new BuildRequest(
          contextDir,
          dockerfile,
          tags,
          buildArgs,
          target,
          noCache,
          outputs,
          sourceDateEpoch,
          compression,
          keepCompressed,
          labels,
          pull,
          secrets,
          allow);
    }
  }
}
