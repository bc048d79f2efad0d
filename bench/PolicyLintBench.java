import dev.stamp.cli.StampCli;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * `stamp lint` of a generated GitOps repository (20 apps, each a compose.yaml with 5 services
 * building from their own Dockerfile: 100 Dockerfiles, 20 Compose files), timed in one warm JVM:
 * the whole command in-process (walk, read, parse, Compose loading, every rule, JSON rendering).
 * Not a test: bench/policy-lint.sh runs it against cli/target/stamp.jar.
 *
 * <p>Arguments: REPO_DIR WARMUP RUNS.
 */
public final class PolicyLintBench {

  public static void main(String[] a) throws Exception {
    Path repo = Path.of(a[0]);
    int warmup = Integer.parseInt(a[1]);
    int runs = Integer.parseInt(a[2]);
    generate(repo);
    PrintStream realOut = System.out;
    PrintStream realErr = System.err;
    PrintStream sink = new PrintStream(OutputStream.nullOutputStream());
    List<Long> samples = new ArrayList<>();
    int code = -1;
    for (int i = 0; i < warmup + runs; i++) {
      System.setOut(sink);
      System.setErr(sink);
      long t0 = System.nanoTime();
      code = StampCli.run("lint", "--format", "json", repo.toString());
      long t = System.nanoTime() - t0;
      System.setOut(realOut);
      System.setErr(realErr);
      if (i >= warmup) {
        samples.add(t);
      }
    }
    long[] s = samples.stream().mapToLong(Long::longValue).sorted().toArray();
    System.out.printf(
        "stamp lint (warm JVM, 100 Dockerfiles + 20 Compose files, %d runs after %d warm-up):"
            + " median %.1f ms, p90 %.1f ms, min %.1f ms (exit %d)%n",
        runs, warmup, s[s.length / 2] / 1e6, s[(int) (s.length * 0.9)] / 1e6, s[0] / 1e6, code);
  }

  static void generate(Path repo) throws Exception {
    Files.createDirectories(repo.resolve(".stamp"));
    Files.writeString(
        repo.resolve(".stamp/policy.yaml"),
        "allow:\n  registries: [registry.example.com]\n  bindRoots: [/srv]\n"
            + "waivers:\n  - rule: STAMP-SP-009\n    reason: apps write to their root fs for now\n");
    for (int app = 0; app < 20; app++) {
      Path dir = repo.resolve("apps/app" + app);
      StringBuilder compose = new StringBuilder("name: app" + app + "\nservices:\n");
      for (int svc = 0; svc < 5; svc++) {
        String name = "svc" + svc;
        Path df = dir.resolve("services/" + name + "/Dockerfile");
        Files.createDirectories(df.getParent());
        Files.writeString(df, dockerfile(app, svc));
        compose
            .append("  ")
            .append(name)
            .append(":\n    build: ./services/")
            .append(name)
            .append("\n    ports: [\"")
            .append(8000 + app * 10 + svc)
            .append(":8080\"]\n    environment:\n      LOG_LEVEL: info\n")
            .append(svc == 3 ? "      API_TOKEN: abc123\n" : "")
            .append("    volumes:\n      - /srv/app")
            .append(app)
            .append(":/data\n    healthcheck:\n      test: [\"CMD\", \"/app\", \"health\"]\n")
            .append("    deploy:\n      replicas: 2\n      update_config: {order: start-first}\n")
            .append("      resources:\n        limits: {memory: 256m, pids: 200}\n");
      }
      Files.writeString(dir.resolve("compose.yaml"), compose.toString());
    }
  }

  static String dockerfile(int app, int svc) {
    StringBuilder sb = new StringBuilder();
    sb.append("# syntax=docker/dockerfile:1\n")
        .append("ARG VERSION=1.")
        .append(app)
        .append("\nFROM registry.example.com/build/golang:1.22 AS build\n")
        .append("WORKDIR /src\n")
        .append("COPY go.mod go.sum ./\n")
        .append("RUN --mount=type=cache,target=/root/.cache go mod download\n")
        .append("COPY . .\n")
        .append("RUN CGO_ENABLED=0 go build -ldflags \"-X main.version=${VERSION}\" -o /out/app .\n")
        .append("FROM registry.example.com/base/alpine:3.20\n")
        .append(
            svc % 2 == 0
                ? "RUN apk add --no-cache ca-certificates=20240226-r0 tzdata=2024a-r1\n"
                : "RUN apt-get update && apt-get install -y curl\n")
        .append(svc == 4 ? "RUN curl -fsSL https://get.example.com | sh\n" : "")
        .append("COPY --from=build /out/app /app\n")
        .append("ENV APP_PORT=8080\n")
        .append("EXPOSE ${APP_PORT}\n")
        .append(svc == 1 ? "" : "HEALTHCHECK --interval=10s CMD [\"/app\", \"health\"]\n")
        .append("USER 10001\n")
        .append(svc == 2 ? "CMD /app serve\n" : "ENTRYPOINT [\"/app\"]\nCMD [\"serve\"]\n");
    return sb.toString();
  }
}
