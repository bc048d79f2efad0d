package dev.stamp.builder.engine;

import dev.stamp.builder.BuildException;
import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.layer.LayerStore;
import dev.stamp.runtime.layer.LayerWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * The layer cache around every step that adds a layer (RUN, COPY, ADD, a creating WORKDIR): a hit
 * on the step's key reuses the recorded layer; a miss fills an empty dir ({@link Content}), writes
 * it as a layer, moves the dir into the layer store and records the key. A plan only records the
 * key.
 */
final class LayerStep {

  /** Produces a layer's content into an empty directory. */
  interface Content {
    void fill(Path dir, Path work) throws BuildException, IOException, HostRuntimeException;
  }

  private LayerStep() {}

  static Snapshot apply(
      StageContext ctx, Snapshot snap, String key, StepReport.Builder report, Content content)
      throws BuildException, IOException, HostRuntimeException {
    BuildRequest req = ctx.request();
    if (ctx.planOnly()) {
      ctx.finish(report, false, 0, key);
      return snap.withConfig(key, snap.config(), ctx.history(report.text(), false));
    }
    LayerStore layers = ctx.layers();
    if (!req.noCache()) {
      Optional<BuildCache.Entry> hit = ctx.cache().get(key);
      if (hit.isPresent()) {
        BuildCache.Entry e = hit.get();
        Path dir = layers.ensure(e.layer(), e.diffId());
        ctx.finish(report, true, e.size(), key);
        return snap.withLayer(key, e.layer(), e.diffId(), dir, ctx.history(report.text(), false));
      }
    }
    ctx.session().progress().started(report.number(), report.title());
    Path stepDir = ctx.session().tmp().resolve("step-" + report.number());
    Path dir = stepDir.resolve("upper");
    Path work = stepDir.resolve("work");
    Files.createDirectories(dir);
    Files.createDirectories(work);
    try {
      content.fill(dir, work);
      LayerWriter.Result layer =
          new LayerWriter(req.sourceDateEpoch(), req.storedCompression()).write(dir, ctx.store());
      Path installed = promote(dir, layers.path(layer.diffId()));
      ctx.cache()
          .put(key, new BuildCache.Entry(layer.blob(), layer.diffId(), layer.uncompressedSize()));
      ctx.finish(report, false, layer.blob().size(), key);
      return snap.withLayer(
          key, layer.blob(), layer.diffId(), installed, ctx.history(report.text(), false));
    } finally {
      ImageBuilder.deleteQuietly(stepDir);
    }
  }

  /** Moves a step's directory into the layer store (it already uses overlay whiteouts). */
  private static Path promote(Path dir, Path target) throws IOException {
    if (Files.isDirectory(target)) {
      return target;
    }
    Files.createDirectories(target.getParent());
    try {
      Files.move(dir, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      if (!Files.isDirectory(target)) {
        throw e;
      }
    }
    return target;
  }
}
