package dev.stamp.builder.engine;

import dev.stamp.builder.BuildException;
import dev.stamp.builder.dockerfile.WorkdirInstruction;
import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.image.ContainerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;

/**
 * WORKDIR: sets the working directory; a layer creates it (root-owned, 0755, mtime 0) when the
 * snapshot does not have it yet. The key is the same either way.
 */
final class WorkdirStep {

  private WorkdirStep() {}

  static Snapshot apply(
      StageContext ctx, Snapshot snap, WorkdirInstruction wd, String key, StepReport.Builder report)
      throws BuildException, IOException, HostRuntimeException {
    String path =
        CopyPlan.normalise(
            wd.path().startsWith("/") ? wd.path() : StageContext.workdir(snap) + "/" + wd.path());
    ContainerConfig config = snap.config().toBuilder().workingDir(path).build();
    Snapshot withConfig =
        new Snapshot(
            snap.cacheKey(),
            snap.layers(),
            snap.diffIds(),
            snap.layerDirs(),
            config,
            snap.history(),
            snap.platform());
    if (path.equals("/") || snap.find(path).isPresent()) {
      ctx.finish(report, false, 0, key);
      return withConfig.withConfig(key, config, ctx.history(report.text(), true));
    }
    return LayerStep.apply(
        ctx,
        withConfig,
        key,
        report,
        (dir, work) -> {
          Path target = dir.resolve(path.substring(1));
          Files.createDirectories(target);
          for (Path p = target; !p.equals(dir); p = p.getParent()) {
            Files.setAttribute(p, "unix:mode", 0755);
          }
          Files.setLastModifiedTime(target, FileTime.fromMillis(0));
        });
  }
}
