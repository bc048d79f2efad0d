package dev.stamp.builder.engine;

import dev.stamp.builder.BuildException;
import dev.stamp.builder.dockerfile.FromInstruction;
import dev.stamp.builder.dockerfile.ResolvedStage;
import dev.stamp.builder.dockerfile.SourceLocation;
import dev.stamp.builder.dockerfile.Stage;
import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.image.HistoryEntry;
import dev.stamp.runtime.image.Image;
import dev.stamp.runtime.image.ImageStore;
import dev.stamp.runtime.layer.LayerStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What every step of one stage works with: the build's session (request, instructions, context,
 * temp dir, progress, base images), the stage, the stages already built, and the stores (images,
 * layers, cache) and the RUN executor. Steps ({@link FromStep}, {@link MetadataStep}, {@link
 * WorkdirStep}, {@link RunStep}, {@link CopyStep}, with {@link LayerStep} and {@link RunMounts})
 * get it and nothing else. {@code stages} fills as the build goes: it is the builder's own map.
 */
record StageContext(
    ImageBuilder.Session session,
    ResolvedStage stage,
    Map<Integer, Snapshot> stages,
    ImageStore store,
    LayerStore layers,
    BuildCache cache,
    RunExecutor executor) {

  static final List<String> DEFAULT_SHELL = List.of("/bin/sh", "-c");
  static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  BuildRequest request() {
    return session.request();
  }

  /** A plan computes keys only: nothing runs, no layer is written or unpacked. */
  boolean planOnly() {
    return session.planOnly();
  }

  /** The Dockerfile's name as errors show it. */
  String file() {
    return session.instructions().file();
  }

  /** An earlier stage's result by index; null when it was not built (yet). */
  Snapshot built(int index) {
    return stages.get(index);
  }

  /** {@code FILE:LINE:COL: }, the prefix of an error at {@code location}. */
  String at(SourceLocation location) {
    return where(location) + ": ";
  }

  /** {@code FILE:LINE:COL}. */
  String where(SourceLocation location) {
    return file() + ":" + location.line() + ":" + location.column();
  }

  FromInstruction fromInstruction() {
    return session.instructions().stages().get(stage.index()).from();
  }

  /** A named image: resolved (pulled when missing) for a build, inspected for a plan. */
  Image image(String ref) throws BuildException {
    return planOnly() ? session.bases().inspect(ref) : session.bases().resolve(ref);
  }

  HistoryEntry history(String text, boolean empty) {
    return HistoryEntry.of(ImageBuilder.created(request().sourceDateEpoch()), text, empty);
  }

  /** Records a finished step (and shows it, unless planning). */
  void finish(StepReport.Builder report, boolean cached, long bytes, String key) {
    StepReport done = report.done(cached, bytes, key);
    session.reports().add(done);
    if (!planOnly()) {
      session.progress().finished(done);
    }
  }

  static List<String> shell(Snapshot snap) {
    List<String> shell = snap.config().shell();
    return shell == null || shell.isEmpty() ? DEFAULT_SHELL : shell;
  }

  static String workdir(Snapshot snap) {
    String wd = snap.config().workingDir();
    return wd == null || wd.isEmpty() ? "/" : wd;
  }

  /**
   * The tree a COPY or a {@code RUN --mount=from=} reads: the context, or a stage's or image's root
   * filesystem (mounted; close it).
   */
  SourceView sourceView(Optional<String> from, SourceLocation location)
      throws BuildException, IOException, HostRuntimeException {
    if (from.isEmpty()) {
      return new SourceView(session.context(), "context", null);
    }
    Optional<Stage> named = session.instructions().stage(from.get());
    List<Path> dirs;
    String key;
    if (named.isPresent()) {
      Snapshot s = built(named.get().index());
      if (s == null) {
        throw BuildException.failed(
            at(location) + "COPY --from=" + from.get() + ": stage not built");
      }
      dirs = s.layerDirs();
      key = s.cacheKey();
    } else {
      Image image;
      try {
        image = session.bases().resolve(from.get());
      } catch (BuildException e) {
        throw BuildException.wrap(at(location) + "COPY --from", e);
      }
      dirs = layers.lowerDirs(image);
      key = image.manifestDigest().toString();
    }
    return SourceView.of(dirs, key, session.tmp().resolve("from-" + java.util.UUID.randomUUID()));
  }
}
