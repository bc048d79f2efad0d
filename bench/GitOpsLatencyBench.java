import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The timed part of bench/gitops-latency.sh (which starts the agents and the controller and lays
 * out the repositories). Two modes, each timing "the change leaves the developer's hands" → "the
 * published port answers the new page" (polled every 10 ms, bounded at 120 s per step):
 *
 * <ul>
 *   <li>{@code gitops WORK HOOK_URL SECRET PORT COMMITS}: in the clone WORK (its commits are made
 *       before the clock starts), each round changes shop/web/index.html, commits, then times
 *       {@code git push} + the signed GitHub push webhook + until the port serves it; then {@code
 *       git revert HEAD} (made before the clock starts) timed the same way back to the page before.
 *   <li>{@code cli WORK STAMP ROOT PORT COMMITS}: the same change by hand in the directory WORK (a
 *       git repository too, for the revert), timed from the start of {@code stamp --root ROOT up -f
 *       shop/compose.yaml} (build the image, replace the service on the local agent: what a person
 *       replacing the running version with the CLI types) until the port serves it.
 * </ul>
 *
 * Prints one line per step and then {@code commit_ms p50 p90 ...} and {@code revert_ms ...}.
 */
public final class GitOpsLatencyBench {

  static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();

  public static void main(String[] a) throws Exception {
    String mode = a[0];
    Path work = Path.of(a[1]);
    int port = Integer.parseInt(a[4]);
    int commits = Integer.parseInt(a[5]);
    Step push;
    if (mode.equals("gitops")) {
      URI hook = URI.create(a[2]);
      String secret = Files.readString(Path.of(a[3])).strip();
      push = () -> pushAndHook(work, hook, secret);
    } else {
      String stamp = a[2];
      String root = a[3];
      push =
          () ->
              run(work, stamp, "--root", root, "up", "-f", work.resolve("shop/compose.yaml") + "");
    }
    String before = page(port);
    List<Long> commitMs = new ArrayList<>();
    List<Long> revertMs = new ArrayList<>();
    for (int i = 1; i <= commits; i++) {
      String next = "v" + i + "-" + System.nanoTime();
      Files.writeString(work.resolve("shop/web/index.html"), next + "\n");
      git(work, "add", "-A");
      git(work, "commit", "-q", "-m", "web: " + next);
      long ms = timed(push, port, next);
      commitMs.add(ms);
      System.out.printf("%s commit %2d: %6d ms%n", mode, i, ms);
      git(work, "revert", "--no-edit", "HEAD");
      ms = timed(push, port, before);
      revertMs.add(ms);
      System.out.printf("%s revert %2d: %6d ms%n", mode, i, ms);
    }
    System.out.println("commit_ms " + stats(commitMs));
    System.out.println("revert_ms " + stats(revertMs));
  }

  interface Step {
    void run() throws Exception;
  }

  /** Milliseconds from the start of {@code step} until the port answers {@code want}. */
  static long timed(Step step, int port, String want) throws Exception {
    long t0 = System.nanoTime();
    step.run();
    long deadline = t0 + 120_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (want.equals(page(port))) {
        return (System.nanoTime() - t0) / 1_000_000;
      }
      Thread.sleep(10);
    }
    throw new IllegalStateException("port " + port + " did not serve " + want + " within 120 s");
  }

  static void pushAndHook(Path work, URI hook, String secret) throws Exception {
    git(work, "push", "-q", "origin", "main");
    String head = out(work, "git", "rev-parse", "HEAD");
    String body =
        "{\"ref\":\"refs/heads/main\",\"after\":\""
            + head
            + "\",\"repository\":{\"name\":\"shop\"}}";
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    String signature =
        "sha256=" + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(hook)
                .header("X-GitHub-Event", "push")
                .header("X-Hub-Signature-256", signature)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 202) {
      throw new IllegalStateException("webhook answered " + r.statusCode() + ": " + r.body());
    }
  }

  /** The page the port serves now, or null. */
  static String page(int port) {
    try {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/index.html"))
                  .timeout(Duration.ofSeconds(1))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? r.body().strip() : null;
    } catch (Exception e) {
      return null;
    }
  }

  static String stats(List<Long> ms) {
    long[] s = ms.stream().mapToLong(Long::longValue).sorted().toArray();
    return String.format(
        "p50 %d p90 %d min %d max %d n %d",
        s[(s.length - 1) / 2],
        s[Math.min(s.length - 1, (int) Math.ceil(s.length * 0.9) - 1)],
        s[0],
        s[s.length - 1],
        s.length);
  }

  static void git(Path dir, String... args) throws Exception {
    String[] cmd = new String[args.length + 5];
    cmd[0] = "git";
    cmd[1] = "-c";
    cmd[2] = "user.name=bench";
    cmd[3] = "-c";
    cmd[4] = "user.email=bench@example.com";
    System.arraycopy(args, 0, cmd, 5, args.length);
    run(dir, cmd);
  }

  static void run(Path dir, String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed:\n" + text);
    }
  }

  static String out(Path dir, String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).start();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    return text.strip();
  }
}
