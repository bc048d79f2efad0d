package dev.stamp.cli;

import dev.stamp.agent.api.AgentClient;
import dev.stamp.builder.engine.ImageBuilder;
import dev.stamp.builder.engine.Progress;
import dev.stamp.controller.ControllerException;
import dev.stamp.controller.compose.ComposeApp;
import dev.stamp.controller.compose.ComposeService;
import dev.stamp.controller.git.DirectorySnapshot;
import dev.stamp.controller.images.BuildCatalog;
import dev.stamp.controller.images.BuildInputs;
import dev.stamp.controller.images.ImagePlanner;
import dev.stamp.controller.images.ServiceImage;
import dev.stamp.controller.rollout.DesiredApp;
import dev.stamp.controller.rollout.HostAgent;
import dev.stamp.controller.rollout.Rollout;
import dev.stamp.controller.rollout.RolloutResult;
import dev.stamp.runtime.StampException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;

/**
 * {@code stamp up [-f compose.yaml]}: the controller's loader, planner and rollout for one
 * directory and the local agent, without Git, as {@code docker compose up -d} would: images are
 * built (or reused by their build keys) into this state root, and the agent replaces what changed.
 */
@Command(
    name = "up",
    description = {
      "Build a Compose app's images and run it on the local agent (replacing what changed).",
      "The agent must run on this state root (stamp agent); see stamp down."
    })
final class UpCommand extends ComposeCommand {

  @Override
  public Integer call() throws StampException {
    PrintWriter out = out();
    ComposeApp app = load();
    Path dir = file.toAbsolutePath().getParent();
    AgentClient client = agent.client(stamp.root());
    // the images: built into this root, which the local agent runs from (no pull)
    DirectorySnapshot tree =
        new DirectorySnapshot(dir, "up:" + new DirectorySnapshot(dir, "up").treeId("").orElse(""));
    ComposeApp inTree = app;
    ImageBuilder builder;
    try {
      builder = ImageBuilder.open(stamp.root());
    } catch (dev.stamp.builder.BuildException e) {
      throw new ControllerException("open the image builder", e);
    }
    ImagePlanner planner =
        new ImagePlanner(
            builder,
            BuildCatalog.inDirectory(stamp.root().path().resolve("up/builds")),
            stamp.root().path().resolve("build-tmp"),
            2,
            dir.toUri().toString(),
            Clock.systemUTC());
    List<BuildInputs> builds = new ArrayList<>();
    for (ComposeService s : inTree.services().values()) {
      if (s.build() != null) {
        builds.add(BuildInputs.of(inTree, s, dir.toString()));
      }
    }
    Map<String, String> digests = new LinkedHashMap<>();
    for (ServiceImage img : planner.ensure(tree, builds, Progress.NONE).values()) {
      out.println(
          app.name()
              + "/"
              + img.service()
              + ": "
              + img.action().name().toLowerCase(java.util.Locale.ROOT)
              + " "
              + img.digest());
      digests.put(img.service(), img.digest());
    }
    for (ComposeService s : inTree.services().values()) {
      if (s.build() == null) {
        ServiceImage img = planner.named(tree, app.name(), s.name(), s.image());
        digests.put(s.name(), img.digest());
      }
    }
    out.flush();
    DesiredApp desired = DesiredApp.of(inTree, tree.commit().shortId(), digests);
    Rollout rollout =
        new Rollout(
            List.of(HostAgent.of("local", Map.of(), client)),
            e -> {
              out.println(e);
              out.flush();
            });
    RolloutResult result = rollout.apply(desired, Optional.empty());
    out.println(
        app.name()
            + ": "
            + result.state().name().toLowerCase(java.util.Locale.ROOT)
            + (result.message().isEmpty() ? "" : " - " + result.message()));
    return exit(
        result.state() == RolloutResult.State.SUCCEEDED ? StampCli.EXIT_OK : StampCli.EXIT_FAILED);
  }
}
