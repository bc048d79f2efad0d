package dev.stamp.builder.engine;

import dev.stamp.builder.BuildException;
import dev.stamp.builder.dockerfile.ArgInstruction;
import dev.stamp.builder.dockerfile.CmdInstruction;
import dev.stamp.builder.dockerfile.EntrypointInstruction;
import dev.stamp.builder.dockerfile.EnvInstruction;
import dev.stamp.builder.dockerfile.ExposeInstruction;
import dev.stamp.builder.dockerfile.HealthcheckInstruction;
import dev.stamp.builder.dockerfile.Instruction;
import dev.stamp.builder.dockerfile.KeyValue;
import dev.stamp.builder.dockerfile.LabelInstruction;
import dev.stamp.builder.dockerfile.MaintainerInstruction;
import dev.stamp.builder.dockerfile.OnbuildInstruction;
import dev.stamp.builder.dockerfile.ShellInstruction;
import dev.stamp.builder.dockerfile.StopsignalInstruction;
import dev.stamp.builder.dockerfile.UserInstruction;
import dev.stamp.builder.dockerfile.VolumeInstruction;
import dev.stamp.runtime.health.HealthCheck;
import dev.stamp.runtime.image.ContainerConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * ENV, LABEL, CMD, ENTRYPOINT, USER, EXPOSE, VOLUME, STOPSIGNAL, HEALTHCHECK, SHELL, ONBUILD, ARG,
 * MAINTAINER: the config changes, no layer (an empty_layer history entry; none for ARG). One per
 * stage: it remembers whether the stage set an ENTRYPOINT (the first one clears an inherited CMD).
 */
final class MetadataStep {

  private final StageContext ctx;
  private boolean entrypointSet;

  MetadataStep(StageContext ctx) {
    this.ctx = ctx;
  }

  Snapshot apply(Snapshot snap, Instruction in, String key, StepReport.Builder report)
      throws BuildException {
    ContainerConfig.Builder c = snap.config().toBuilder();
    boolean history = true;
    if (in instanceof EnvInstruction env) {
      for (KeyValue kv : env.variables()) {
        c.env(kv.key(), kv.value());
      }
    } else if (in instanceof LabelInstruction label) {
      for (KeyValue kv : label.labels()) {
        c.label(kv.key(), kv.value());
      }
    } else if (in instanceof CmdInstruction cmd) {
      c.cmd(cmd.command().argv(StageContext.shell(snap)));
    } else if (in instanceof EntrypointInstruction ep) {
      c.entrypoint(ep.command().argv(StageContext.shell(snap)));
      if (!entrypointSet) {
        c.cmd(null);
      }
      entrypointSet = true;
    } else if (in instanceof UserInstruction user) {
      c.user(user.user());
    } else if (in instanceof ExposeInstruction expose) {
      for (String port : expose.ports()) {
        c.exposePort(port.contains("/") ? port : port + "/tcp");
      }
    } else if (in instanceof VolumeInstruction volume) {
      volume.paths().forEach(c::volume);
    } else if (in instanceof StopsignalInstruction sig) {
      c.stopSignal(sig.signal());
    } else if (in instanceof HealthcheckInstruction hc) {
      c.healthcheck(healthcheck(hc));
    } else if (in instanceof ShellInstruction sh) {
      c.shell(sh.shell());
    } else if (in instanceof OnbuildInstruction ob) {
      List<String> triggers =
          snap.config().onBuild() == null
              ? new ArrayList<>()
              : new ArrayList<>(snap.config().onBuild());
      triggers.add(ob.expression());
      c.onBuild(triggers);
    } else if (in instanceof ArgInstruction) {
      history = false;
    } else if (in instanceof MaintainerInstruction m) {
      c.label("maintainer", m.maintainer());
    } else {
      throw BuildException.badInput(ctx.at(in.location()) + in.keyword() + ": not supported here");
    }
    ctx.finish(report, false, 0, key);
    ContainerConfig config = c.build();
    if (!history) {
      return snap.withConfig(key, config);
    }
    return snap.withConfig(key, config, ctx.history(report.text(), true));
  }

  private static HealthCheck healthcheck(HealthcheckInstruction hc) {
    return new HealthCheck(
        hc.test(),
        hc.interval().map(Duration::toNanos).orElse(null),
        hc.timeout().map(Duration::toNanos).orElse(null),
        hc.startPeriod().map(Duration::toNanos).orElse(null),
        hc.startInterval().map(Duration::toNanos).orElse(null),
        hc.retries().orElse(null));
  }
}
