package dev.stamp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stamp.agent.api.AgentClient;
import dev.stamp.agent.api.ServiceSpec;
import dev.stamp.agent.api.ServiceStatus;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.container.ContainerInfo;
import dev.stamp.runtime.container.ContainerRuntime;
import dev.stamp.testkit.RequiresRoot;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code stamp agent} killed with SIGKILL in the middle of a replace: the restarted agent recovers
 * the replace from the service's record, then makes the desired generation true; exactly one
 * version serves afterwards, the published port answered throughout, nothing is orphaned.
 */
@RequiresRoot
class AgentKillCliIT {

  static final String TOKEN = "agent-kill-cli-it-token-0123456789";

  @TempDir Path tmp;
  StampAgentProcess f;
  Path root;
  Path token;
  String image;
  int apiPort;
  Process agent;
  AgentClient client;
  final List<String> containers = new ArrayList<>();
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @BeforeEach
  void setUp() throws Exception {
    f = StampAgentProcess.prepare(tmp, "agent-kill-it/web:1", TOKEN);
    root = f.root;
    token = f.token;
    image = f.image;
    apiPort = f.apiPort;
    client = f.client;
  }

  @AfterEach
  void tearDown() throws Exception {
    f.agent = agent;
    f.containers.addAll(containers);
    f.close();
  }

  void startAgent() throws Exception {
    f.start();
    agent = f.agent;
  }

  void waitFor(StampAgentProcess.Check check, String what) throws Exception {
    f.waitFor(check, what);
  }

  ServiceStatus awaitService(String name, Predicate<ServiceStatus> done) throws Exception {
    ServiceStatus status = f.awaitService(name, done);
    status.replicas().forEach(r -> containers.add(r.container()));
    return status;
  }

  String page(int port) throws Exception {
    return f.page(port);
  }

  /**
   * httpd serving {@code page}, after {@code delay} seconds (a slow start to kill it in), two
   * replicas replaced {@code parallelism} at a time.
   */
  ServiceSpec spec(String page, int port, int delay, int parallelism) {
    return new ServiceSpec(
        image,
        List.of(
            "sh",
            "-c",
            "sleep "
                + delay
                + "; mkdir -p /w; echo "
                + page
                + " > /w/index.html; exec httpd -f -p 80 -h /w"),
        null,
        null,
        List.of(new ServiceSpec.Port(80, port, "127.0.0.1", "tcp")),
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        new ServiceSpec.Healthcheck(
            List.of("HTTP", "/index.html"), "PT0.2S", "PT1S", 2, "PT" + (delay + 10) + "S", null),
        2,
        new ServiceSpec.Update(null, parallelism, null),
        null,
        "PT1S",
        null);
  }

  /** The replace step the service's record names now, or null. */
  String recordedStep(String name) {
    JsonNode replace = recorded(name).get("replace");
    return replace == null || replace.isNull() ? null : replace.get("step").asText();
  }

  /**
   * How many replicas the record has in flight at {@code step} ({@code replace} and {@code batch}).
   */
  int inFlightAt(String name, String step) {
    JsonNode record = recorded(name);
    int n = step.equals(recordedStep(name)) ? 1 : 0;
    for (JsonNode other : record.path("batch")) {
      n += step.equals(other.path("step").asText()) ? 1 : 0;
    }
    return n;
  }

  private JsonNode recorded(String name) {
    try {
      return new ObjectMapper().readTree(root.resolve("services/" + name + ".json").toFile());
    } catch (java.io.IOException e) {
      return new ObjectMapper().createObjectNode(); // being replaced on disk
    }
  }

  @ParameterizedTest(name = "update.parallelism {0}")
  @ValueSource(ints = {1, 2})
  void anAgentKilledInTheMiddleOfAReplaceFinishesItAfterARestart(int parallelism) throws Exception {
    startAgent();
    int port = AgentCliIT.freePort();
    client.putService("web", spec("v1", port, 0, parallelism));
    awaitService("web", s -> "running".equals(s.state()) && s.observedGeneration() == 1);
    assertThat(page(port)).isEqualTo("v1");

    Map<String, AtomicInteger> bodies = new ConcurrentHashMap<>();
    List<String> failures = new CopyOnWriteArrayList<>();
    AtomicBoolean loading = new AtomicBoolean(true);
    Thread load =
        new Thread(
            () -> {
              while (loading.get()) {
                try {
                  bodies.computeIfAbsent(page(port), b -> new AtomicInteger()).incrementAndGet();
                } catch (Exception e) {
                  failures.add(e.toString());
                }
              }
            },
            "test-load");
    load.setDaemon(true);
    load.start();
    try {
      client.putService("web", spec("v2", port, 2, parallelism));
      waitFor(
          () -> inFlightAt("web", "health") == parallelism,
          parallelism + " new replica(s) of the replace waiting for health");
      agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // kill -9 mid-replace
      assertThat(recordedStep("web")).as("the killed replace is in the record").isNotNull();

      startAgent();
      ServiceStatus after =
          awaitService("web", s -> "running".equals(s.state()) && s.observedGeneration() == 2);
      assertThat(after.replicas()).hasSize(2);
      assertThat(recordedStep("web")).isNull();
      ContainerRuntime runtime = ContainerRuntime.open(new StampRoot(root));
      assertThat(runtime.list(true))
          .as("nothing orphaned: only the two replicas")
          .extracting(ContainerInfo::id)
          .containsExactlyInAnyOrderElementsOf(
              after.replicas().stream().map(ServiceStatus.Replica::container).toList());
      bodies.clear();
      Thread.sleep(500);
    } finally {
      loading.set(false);
      load.join(10_000);
    }
    assertThat(failures).as("failed requests while killed and recovering").isEmpty();
    assertThat(bodies.keySet()).as("exactly one version serves").containsOnly("v2");
  }
}
