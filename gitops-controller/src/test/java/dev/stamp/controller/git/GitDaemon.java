package dev.stamp.controller.git;

import dev.stamp.testkit.TestNetworks;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** {@code git daemon} serving (and accepting pushes to) the repositories under a directory. */
final class GitDaemon implements AutoCloseable {

  final int port;
  private final Process process;

  GitDaemon(Path base) throws IOException, InterruptedException {
    this.port = TestNetworks.freePort();
    this.process =
        new ProcessBuilder(
                List.of(
                    "git",
                    "daemon",
                    "--base-path=" + base,
                    "--export-all",
                    "--enable=receive-pack",
                    "--listen=127.0.0.1",
                    "--port=" + port,
                    "--reuseaddr",
                    base.toString()))
            .redirectErrorStream(true)
            .redirectOutput(base.resolve("git-daemon.log").toFile())
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 500);
        return;
      } catch (IOException e) {
        if (!process.isAlive() || System.nanoTime() > deadline) {
          close();
          throw new IOException("git daemon did not start on 127.0.0.1:" + port, e);
        }
        Thread.sleep(50);
      }
    }
  }

  String url(String repo) {
    return "git://127.0.0.1:" + port + "/" + repo;
  }

  @Override
  public void close() throws InterruptedException {
    process.toHandle().descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
