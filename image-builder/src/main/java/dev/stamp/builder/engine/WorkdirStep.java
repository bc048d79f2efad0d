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
 * snapshot does not have it yet, where the path leads inside the image (its symlinks resolved
 * inside it, never on the build host). The key is the same either way.
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
    Snapshot withConfig = snap.withConfig(snap.cacheKey(), config);
    // created where the path leads inside the image (WORKDIR /e/app with /e -> /etc: /etc/app)
    String what = ctx.at(wd.location()) + "WORKDIR " + wd.path();
    String real = snap.resolve(path, true, what);
    if (real.isEmpty() || snap.find("/" + real, what).isPresent()) {
      ctx.finish(report, false, 0, key);
      return withConfig.withConfig(key, config, ctx.history(report.text(), true));
    }
    return LayerStep.apply(
        ctx,
        withConfig,
        key,
        report,
        (dir, work) -> {
          Path target = dir.resolve(real);
          Files.createDirectories(target);
          for (Path p = target; !p.equals(dir); p = p.getParent()) {
            Files.setAttribute(p, "unix:mode", 0755);
          }
          Files.setLastModifiedTime(target, FileTime.fromMillis(0));
        });
  }
}
