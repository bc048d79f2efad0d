package dev.stamp.builder.engine;

import dev.stamp.builder.BuildException;
import dev.stamp.builder.dockerfile.AddInstruction;
import dev.stamp.builder.dockerfile.CopyArgs;
import dev.stamp.builder.dockerfile.CopyInstruction;
import dev.stamp.builder.dockerfile.DockerfileSyntaxException;
import dev.stamp.builder.dockerfile.SourceLocation;
import dev.stamp.builder.dockerfile.Stage;
import dev.stamp.runtime.HostRuntimeException;
import java.io.IOException;
import java.util.Optional;

/**
 * COPY and ADD: a layer with the sources placed as {@link CopyPlan} says. From the context the key
 * holds every source file's content ({@link CopyPlan#keyMaterial}); from a stage or image it is
 * that stage's key or image's digest, and the view is mounted only when the cache misses.
 */
final class CopyStep {

  /** What one COPY or ADD asks for, whichever instruction it came from. */
  record Spec(
      String keyword,
      SourceLocation location,
      CopyArgs args,
      Optional<String> from,
      boolean parents,
      Optional<String> checksum) {

    static Spec of(CopyInstruction c) {
      return new Spec("COPY", c.location(), c.args(), c.from(), c.parents(), Optional.empty());
    }

    static Spec of(AddInstruction a) {
      return new Spec("ADD", a.location(), a.args(), Optional.empty(), false, a.checksum());
    }

    boolean add() {
      return keyword.equals("ADD");
    }
  }

  private CopyStep() {}

  static Snapshot apply(
      StageContext ctx, Snapshot snap, Spec spec, String key, StepReport.Builder report)
      throws BuildException, IOException, HostRuntimeException {
    Integer mode =
        spec.args().chmod().isPresent() ? parseChmod(ctx, spec.args().chmod().get(), spec) : null;
    long epoch = ctx.request().sourceDateEpoch();
    if (spec.from().isEmpty()) {
      // the context: the key holds every source file's content digest
      CopyPlan plan = plan(ctx, snap, spec, ctx.session().context());
      return LayerStep.apply(
          ctx,
          snap,
          BuildCache.key(key, "context", plan.keyMaterial()),
          report,
          (dir, work) -> {
            int[] owner = owner(ctx, snap, spec);
            plan.stage(dir, snap.layerDirs(), owner[0], owner[1], mode, epoch);
          });
    }
    // a stage or image: its own key (or digest) fixes what it holds; it is mounted only on a miss
    return LayerStep.apply(
        ctx,
        snap,
        BuildCache.key(key, fromKey(ctx, spec.from().get(), spec.location())),
        report,
        (dir, work) -> {
          int[] owner = owner(ctx, snap, spec);
          try (SourceView view = ctx.sourceView(spec.from(), spec.location())) {
            plan(ctx, snap, spec, view.tree())
                .stage(dir, snap.layerDirs(), owner[0], owner[1], mode, epoch);
          }
        });
  }

  private static CopyPlan plan(StageContext ctx, Snapshot snap, Spec spec, SourceTree tree)
      throws BuildException {
    return CopyPlan.of(
        ctx.file(),
        spec.keyword(),
        spec.location(),
        tree,
        spec.args().sources(),
        spec.args().inlineSources(),
        spec.args().destination(),
        StageContext.workdir(snap),
        spec.parents(),
        spec.args().excludes(),
        spec.add()
            ? new CopyPlan.AddOptions(
                spec.checksum(), UrlDownloader.shared(), ctx.session().tmp().resolve("downloads"))
            : null);
  }

  /**
   * {@code --chown} as numbers (names from the image's /etc/passwd and /etc/group); 0:0 without.
   */
  private static int[] owner(StageContext ctx, Snapshot snap, Spec spec) throws BuildException {
    return spec.args().chown().isPresent()
        ? Users.chown(snap, spec.args().chown().get(), ctx.at(spec.location()))
        : new int[] {0, 0};
  }

  /** What a {@code COPY --from} reads, for the key: the stage's key or the image's digest. */
  private static String fromKey(StageContext ctx, String from, SourceLocation location)
      throws BuildException {
    Optional<Stage> named = ctx.session().instructions().stage(from);
    if (named.isPresent()) {
      Snapshot s = ctx.built(named.get().index());
      if (s == null) {
        throw BuildException.failed(ctx.at(location) + "COPY --from=" + from + ": stage not built");
      }
      return "stage " + s.cacheKey();
    }
    try {
      return "image " + ctx.image(from).manifestDigest();
    } catch (BuildException e) {
      throw BuildException.wrap(ctx.at(location) + "COPY --from", e);
    }
  }

  private static Integer parseChmod(StageContext ctx, String text, Spec spec)
      throws BuildException {
    if (!text.matches("[0-7]{1,4}")) {
      throw new DockerfileSyntaxException(
          ctx.file(),
          spec.location().line(),
          spec.location().column(),
          "--chmod=" + text + ": only octal modes are supported (e.g. 0755)");
    }
    return Integer.parseInt(text, 8);
  }
}
