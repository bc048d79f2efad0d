package dev.stamp.builder.engine;

import dev.stamp.builder.BuildException;
import dev.stamp.builder.dockerfile.AddInstruction;
import dev.stamp.builder.dockerfile.CacheText;
import dev.stamp.builder.dockerfile.CopyInstruction;
import dev.stamp.builder.dockerfile.Instruction;
import dev.stamp.builder.dockerfile.ResolvedStep;
import dev.stamp.builder.dockerfile.RunInstruction;
import dev.stamp.builder.dockerfile.WorkdirInstruction;
import dev.stamp.runtime.HostRuntimeException;
import java.io.IOException;

/**
 * Builds one stage: its base ({@link FromStep}), then each step in order, each handed to its kind:
 * {@link RunStep}, {@link CopyStep} (COPY and ADD), {@link WorkdirStep}, or {@link MetadataStep}
 * (the config only). A step's key is its parent's key and the instruction's {@link CacheText}; the
 * steps that add a layer extend it with what they read and go through {@link LayerStep} (the
 * cache). All of them work on one {@link StageContext}.
 */
final class StageBuilder {

  private final StageContext ctx;
  private final MetadataStep metadata;

  StageBuilder(StageContext ctx) {
    this.ctx = ctx;
    this.metadata = new MetadataStep(ctx);
  }

  Snapshot build() throws BuildException {
    Snapshot snap = FromStep.base(ctx);
    int count = ctx.stage().steps().size();
    for (int i = 0; i < count; i++) {
      if (ctx.session().cancelled().get()) {
        throw BuildException.failed(
            "stage " + ctx.stage().displayName() + ": cancelled (another stage failed)");
      }
      snap = step(snap, i + 1, count, ctx.stage().steps().get(i));
    }
    return snap;
  }

  private Snapshot step(Snapshot snap, int index, int count, ResolvedStep step)
      throws BuildException {
    Instruction in = step.instruction();
    int number = ctx.session().steps().incrementAndGet();
    String text = Describe.of(in);
    StepReport.Builder report =
        new StepReport.Builder(number, ctx.stage().displayName(), index, count, text);
    String key = BuildCache.key(snap.cacheKey(), CacheText.of(in));
    try {
      if (in instanceof RunInstruction run) {
        return RunStep.apply(ctx, snap, step, run, key, report);
      }
      if (in instanceof CopyInstruction copy) {
        return CopyStep.apply(ctx, snap, CopyStep.Spec.of(copy), key, report);
      }
      if (in instanceof AddInstruction add) {
        return CopyStep.apply(ctx, snap, CopyStep.Spec.of(add), key, report);
      }
      if (in instanceof WorkdirInstruction wd) {
        return WorkdirStep.apply(ctx, snap, wd, key, report);
      }
      return metadata.apply(snap, in, key, report);
    } catch (IOException e) {
      throw BuildException.failed(ctx.at(in.location()) + text + ": " + e.getMessage(), e);
    } catch (HostRuntimeException e) {
      throw BuildException.wrap(ctx.at(in.location()) + text, e);
    }
  }
}
