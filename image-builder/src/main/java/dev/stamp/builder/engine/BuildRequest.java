package dev.stamp.builder.engine;

import dev.stamp.runtime.image.ImageReference;
import dev.stamp.runtime.layer.Compression;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What to build: the context directory, the Dockerfile (may lie outside the context), names for the
 * result, build args, the target stage, whether to ignore the cache, extra outputs, the
 * SOURCE_DATE_EPOCH (seconds; every timestamp is clamped to it), layer compression, and labels to
 * add to the image (e.g. {@code org.opencontainers.image.revision}), whether to pull every base
 * image afresh ({@code --pull}), and the secrets {@code RUN --mount=type=secret} may mount, by id
 * (never part of a layer, the config or a cache key).
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
    Map<String, String> labels,
    boolean pull,
    Map<String, BuildSecret> secrets) {

  public BuildRequest {
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
        Map.of(),
        false,
        Map.of());
  }

  public BuildRequest withDockerfile(Path file) {
    return new BuildRequest(
        contextDir,
        file,
        tags,
        buildArgs,
        target,
        noCache,
        outputs,
        sourceDateEpoch,
        compression,
        labels,
        pull,
        secrets);
  }

  public BuildRequest withTags(List<ImageReference> newTags) {
    return new BuildRequest(
        contextDir,
        dockerfile,
        newTags,
        buildArgs,
        target,
        noCache,
        outputs,
        sourceDateEpoch,
        compression,
        labels,
        pull,
        secrets);
  }

  public BuildRequest withBuildArgs(Map<String, String> args) {
    return new BuildRequest(
        contextDir,
        dockerfile,
        tags,
        args,
        target,
        noCache,
        outputs,
        sourceDateEpoch,
        compression,
        labels,
        pull,
        secrets);
  }

  public BuildRequest withTarget(String stage) {
    return new BuildRequest(
        contextDir,
        dockerfile,
        tags,
        buildArgs,
        Optional.ofNullable(stage),
        noCache,
        outputs,
        sourceDateEpoch,
        compression,
        labels,
        pull,
        secrets);
  }

  public BuildRequest withNoCache(boolean value) {
    return new BuildRequest(
        contextDir,
        dockerfile,
        tags,
        buildArgs,
        target,
        value,
        outputs,
        sourceDateEpoch,
        compression,
        labels,
        pull,
        secrets);
  }

  public BuildRequest withOutputs(List<OutputSpec> value) {
    return new BuildRequest(
        contextDir,
        dockerfile,
        tags,
        buildArgs,
        target,
        noCache,
        value,
        sourceDateEpoch,
        compression,
        labels,
        pull,
        secrets);
  }

  public BuildRequest withSourceDateEpoch(long value) {
    return new BuildRequest(
        contextDir,
        dockerfile,
        tags,
        buildArgs,
        target,
        noCache,
        outputs,
        value,
        compression,
        labels,
        pull,
        secrets);
  }

  public BuildRequest withCompression(Compression value) {
    return new BuildRequest(
        contextDir,
        dockerfile,
        tags,
        buildArgs,
        target,
        noCache,
        outputs,
        sourceDateEpoch,
        value,
        labels,
        pull,
        secrets);
  }

  public BuildRequest withLabels(Map<String, String> value) {
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
        value,
        pull,
        secrets);
  }

  public BuildRequest withPull(boolean value) {
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
        labels,
        value,
        secrets);
  }

  public BuildRequest withSecrets(Map<String, BuildSecret> value) {
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
        labels,
        pull,
        value);
  }
}
