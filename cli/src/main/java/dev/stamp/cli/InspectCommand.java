package dev.stamp.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.stamp.runtime.container.ContainerInfo;
import dev.stamp.runtime.container.ContainerRuntime;
import dev.stamp.runtime.container.ContainerState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code stamp inspect}: a JSON array with each container's state and config. */
@Command(name = "inspect", description = "Show containers' state and configuration as JSON.")
final class InspectCommand extends StampCommand {

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  @Parameters(paramLabel = "CONTAINER", arity = "1..*")
  List<String> containers;

  @Override
  public Integer call() throws Exception {
    ContainerRuntime runtime = Runtimes.open(stamp);
    List<Map<String, Object>> out = new ArrayList<>();
    for (String ref : containers) {
      Map<String, Object> m = json(runtime.inspect(ref));
      m.put("Drift", drift(runtime.drift(ref)));
      out.add(m);
    }
    System.out.println(JSON.writeValueAsString(out));
    return StampCli.EXIT_OK;
  }

  static Map<String, Object> json(ContainerInfo info) {
    ContainerState s = info.state();
    Map<String, Object> state = new LinkedHashMap<>();
    state.put("Status", s.status().label());
    state.put("Running", s.status() == dev.stamp.runtime.container.ContainerStatus.RUNNING);
    state.put("Pid", s.process().map(p -> p.pid()).orElse(0));
    state.put("ExitCode", s.exitCode().orElse(null));
    state.put("Error", s.error().orElse(""));
    state.put("StartedAt", time(s.startedAtNanos()));
    state.put("FinishedAt", time(s.finishedAtNanos()));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("Id", info.id());
    m.put("Name", info.config().map(c -> c.name()).orElse(null));
    m.put("Created", info.config().map(c -> c.created()).orElse(null));
    m.put("State", state);
    m.put("Config", info.config().orElse(null));
    return m;
  }

  /** What changed in its root filesystem outside volumes, and the last {@code stamp exec}. */
  static Map<String, Object> drift(dev.stamp.runtime.container.Drift d) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("Drifted", d.drifted());
    m.put("Paths", d.paths());
    m.put("Truncated", d.truncated());
    m.put("ExecAt", d.execAt().map(Instant::toString).orElse(null));
    return m;
  }

  private static String time(Optional<Long> nanos) {
    return nanos.map(n -> Instant.ofEpochSecond(0, n).toString()).orElse(null);
  }
}
