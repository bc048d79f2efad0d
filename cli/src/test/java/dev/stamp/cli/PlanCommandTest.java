package dev.stamp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class PlanCommandTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @TempDir Path dir;

  private int run(String... args) {
    CommandLine cli = StampCli.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void validAppPrintsServicesAndWarningsGoToStderr() throws Exception {
    Files.writeString(
        dir.resolve("compose.yaml"),
        "name: shop\nservices:\n  web:\n    image: nginx\n    links: [db]\n"
            + "    ports: ['8080:80']\n    deploy: {replicas: 2}\n");
    assertThat(run("plan", dir.toString())).isZero();
    assertThat(out.toString())
        .isEqualTo("app shop\n  service web: image nginx, 2 replicas, port 8080:80/tcp\n");
    assertThat(err.toString())
        .isEqualTo(
            dir.resolve("compose.yaml")
                + ":5:5: warning: services.web.links: not in Stamp's Compose subset, ignored\n");
  }

  @Test
  void jsonIsTheNormalizedModel() throws Exception {
    Files.writeString(
        dir.resolve("compose.yaml"),
        "services:\n  web:\n    image: nginx\n    stop_grace_period: 1m30s\n");
    assertThat(run("plan", "--format", "json", dir.toString())).isZero();
    assertThat(out.toString()).contains("\"stop_grace_period\" : 90000000000");
  }

  @Test
  void invalidAppPrintsEveryProblemAndExits2() throws Exception {
    Files.writeString(
        dir.resolve("compose.yaml"),
        "services:\n  web:\n    image: [nginx]\n    ports: ['80/xyz']\n");
    assertThat(run("plan", dir.toString())).isEqualTo(2);
    String file = dir.resolve("compose.yaml").toString();
    assertThat(err.toString())
        .isEqualTo(
            file
                + ":3:12: services.web.image: expected a string, got a list\n"
                + file
                + ":4:13: services.web.ports[0]: invalid protocol \"xyz\" in \"80/xyz\": expected"
                + " tcp or udp\n"
                + "stamp plan: 2 problems in "
                + file
                + "\n");
    assertThat(out.toString()).isEmpty();
  }
}
