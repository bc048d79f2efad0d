import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.recovery.RootRecovery;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * bench/recovery-pass: the cost of {@link RootRecovery#onOpen} as the CLI pays it, in a fresh JVM
 * (its classes loaded on the way), on a root with 100 containers. {@code clean}: nothing died (the
 * warm path: marker read, ops/ listed, this process registered); {@code dead}: one op file of a
 * dead process, so the full pass runs (every container record read). Prints microseconds: the
 * first call (the pass's classes loaded on the way, logging already up, as in a command) and a
 * second one in the same JVM (the pass's own work).
 * Usage: java -cp CP RecoveryPass setup ROOT | clean ROOT | dead ROOT | marginal ROOT STAMP-ARGS…
 */
public final class RecoveryPass {
  public static void main(String[] args) throws Exception {
    Path root = Path.of(args[1]);
    if (args[0].equals("setup")) {
      for (int i = 0; i < 100; i++) {
        String id = String.format("%064x", i + 1);
        Path dir = Files.createDirectories(root.resolve("containers").resolve(id));
        Files.createDirectories(dir.resolve("rootfs"));
        Files.writeString(
            dir.resolve("config.json"),
            "{\"id\":\"" + id + "\",\"name\":\"c" + i + "\",\"upperDir\":null,\"args\":[\"sh\"]}");
      }
      return;
    }
    if (args[0].equals("marginal")) {
      // a CLI command first (on a jar without the pass, put first on the class path), then the
      // pass on ROOT: what the pass adds to a command that has loaded its own classes
      int code = dev.stamp.cli.StampCli.run(java.util.Arrays.copyOfRange(args, 2, args.length));
      long t0 = System.nanoTime();
      RootRecovery.onOpen(new StampRoot(root));
      long t1 = System.nanoTime();
      System.out.println((t1 - t0) / 1000 + " " + code);
      return;
    }
    if (args[0].equals("dead")) {
      Files.createDirectories(root.resolve("ops"));
      Files.writeString(root.resolve("ops/4194305-1"), "x");
    }
    // what every command has done before the pass (picocli's parsing): logging, string
    // concatenation and lambdas bootstrapped
    org.slf4j.LoggerFactory.getLogger(RecoveryPass.class);
    Runnable warm = () -> System.setProperty("recovery.bench", "x" + args.length + root);
    warm.run();
    long t0 = System.nanoTime();
    RootRecovery.onOpen(new StampRoot(root));
    long t1 = System.nanoTime();
    RootRecovery.onOpen(new StampRoot(root)); // again, classes loaded: the pass's own work
    long t2 = System.nanoTime();
    System.out.println((t1 - t0) / 1000 + " " + (t2 - t1) / 1000);
  }
}
