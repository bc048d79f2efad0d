package dev.stamp.builder.engine;

import dev.stamp.builder.BuildException;
import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.image.ContainerConfig;
import dev.stamp.runtime.image.Image;
import dev.stamp.runtime.image.Platform;
import java.nio.file.Path;
import java.util.List;

/**
 * FROM: the stage's first snapshot, from scratch, an earlier stage's result, or an image (its
 * manifest digest in the key; its layers unpacked for a build, not for a plan).
 */
final class FromStep {

  private FromStep() {}

  static Snapshot base(StageContext ctx) throws BuildException {
    BuildRequest req = ctx.request();
    String settings = "epoch=" + req.sourceDateEpoch() + " compression=" + req.compression().name();
    if (req.keepCompressed()) {
      // layers kept compressed are other blobs than the plain tars of the same steps
      settings += " stored=" + req.storedCompression().name();
    }
    if (ctx.stage().base().isStage()) {
      int index = ctx.stage().base().stage().getAsInt();
      Snapshot from = ctx.built(index);
      if (from == null) {
        throw BuildException.failed(
            "stage " + ctx.stage().displayName() + ": base stage " + index + " was not built");
      }
      return from.withConfig(BuildCache.key("stage", from.cacheKey()), from.config());
    }
    if (ctx.stage().base().isScratch()) {
      return new Snapshot(
          BuildCache.key("scratch", settings),
          List.of(),
          List.of(),
          List.of(),
          ContainerConfig.EMPTY,
          List.of(),
          Platform.host());
    }
    String ref = ctx.stage().base().image().orElseThrow();
    String where = ctx.where(ctx.fromInstruction().location());
    Image image;
    try {
      image = ctx.image(ref);
    } catch (BuildException e) {
      throw BuildException.wrap(where, e);
    }
    try {
      // a plan needs the digest and config only: no layer is unpacked
      List<Path> dirs = ctx.planOnly() ? List.of() : ctx.layers().lowerDirs(image);
      return new Snapshot(
          BuildCache.key("image", image.manifestDigest().toString(), settings),
          image.layers(),
          image.diffIds(),
          dirs,
          image.config().runConfig(),
          image.config().history() == null ? List.of() : image.config().history(),
          image.config().platform());
    } catch (HostRuntimeException e) {
      throw BuildException.wrap(where + ": FROM " + ref, e);
    }
  }
}
