package dev.stamp.controller.git;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;

/**
 * An SSH server on 127.0.0.1 (Apache MINA SSHD, in the test's JVM) that runs {@code
 * git-upload-pack} and {@code git-receive-pack} as processes for repositories under a directory,
 * and lets in only the one client key it made.
 */
final class GitSshServer implements AutoCloseable {

  private final SshServer sshd;
  private final PublicKey hostKey;
  final Path clientKeyFile;

  GitSshServer(Path base, Path dir) throws Exception {
    KeyPair client = KeyUtils.generateKeyPair(KeyPairProvider.ECDSA_SHA2_NISTP256, 256);
    clientKeyFile = dir.resolve("id_ecdsa");
    try (OutputStream out = Files.newOutputStream(clientKeyFile)) {
      OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(client, "stamp-test", null, out);
    }
    Files.setPosixFilePermissions(clientKeyFile, PosixFilePermissions.fromString("rw-------"));
    sshd = SshServer.setUpDefaultServer();
    sshd.setHost("127.0.0.1");
    sshd.setPort(0);
    SimpleGeneratorHostKeyProvider hostKeys =
        new SimpleGeneratorHostKeyProvider(dir.resolve("host-key"));
    hostKeys.setAlgorithm(KeyUtils.EC_ALGORITHM);
    sshd.setKeyPairProvider(hostKeys);
    sshd.setPublickeyAuthenticator(
        (user, key, session) -> KeyUtils.compareKeys(key, client.getPublic()));
    sshd.setPasswordAuthenticator(null);
    sshd.setKeyboardInteractiveAuthenticator(null);
    sshd.setCommandFactory((channel, command) -> new GitCommand(base, command));
    sshd.start();
    hostKey = hostKeys.loadKeys(null).iterator().next().getPublic();
  }

  int port() {
    return sshd.getPort();
  }

  String url(String repo) {
    return "ssh://git@127.0.0.1:" + port() + "/" + repo;
  }

  /** The known_hosts line for this server. */
  String knownHostsLine() {
    return "[127.0.0.1]:" + port() + " " + PublicKeyEntry.toString(hostKey) + "\n";
  }

  @Override
  public void close() throws IOException {
    sshd.stop(true);
  }

  /** {@code git-upload-pack '/repo'} or {@code git-receive-pack '/repo'} as a process. */
  private static final class GitCommand implements Command {
    private final Path base;
    private final String command;
    private InputStream in;
    private OutputStream out;
    private OutputStream err;
    private ExitCallback exit;
    private Process process;

    GitCommand(Path base, String command) {
      this.base = base;
      this.command = command;
    }

    @Override
    public void setInputStream(InputStream in) {
      this.in = in;
    }

    @Override
    public void setOutputStream(OutputStream out) {
      this.out = out;
    }

    @Override
    public void setErrorStream(OutputStream err) {
      this.err = err;
    }

    @Override
    public void setExitCallback(ExitCallback callback) {
      this.exit = callback;
    }

    @Override
    public void start(ChannelSession channel, Environment env) throws IOException {
      String[] parts = command.split(" ", 2);
      if (parts.length != 2
          || !(parts[0].equals("git-upload-pack") || parts[0].equals("git-receive-pack"))) {
        exit.onExit(127, "not a git command: " + command);
        return;
      }
      String path = parts[1].replace("'", "");
      Path repo = base.resolve(path.replaceFirst("^/+", "")).normalize();
      if (!repo.startsWith(base)) {
        exit.onExit(128, "outside the base path");
        return;
      }
      List<String> argv = new ArrayList<>(List.of(parts[0], repo.toString()));
      ProcessBuilder pb = new ProcessBuilder(argv);
      String protocol = env.getEnv().get("GIT_PROTOCOL");
      if (protocol != null) {
        pb.environment().put("GIT_PROTOCOL", protocol);
      }
      process = pb.start();
      pump(in, process.getOutputStream(), true);
      Thread stderr = pump(process.getErrorStream(), err, false);
      Thread stdout =
          new Thread(
              () -> {
                try {
                  copy(process.getInputStream(), out);
                  int code = process.waitFor();
                  stderr.join();
                  exit.onExit(code);
                } catch (IOException | InterruptedException e) {
                  exit.onExit(1, e.toString());
                }
              });
      stdout.setDaemon(true);
      stdout.start();
    }

    private static Thread pump(InputStream from, OutputStream to, boolean closeTo) {
      Thread t =
          new Thread(
              () -> {
                try {
                  copy(from, to);
                } catch (IOException e) {
                  // the other side went away
                } finally {
                  if (closeTo) {
                    try {
                      to.close();
                    } catch (IOException ignored) {
                      // closing a dead process's stdin
                    }
                  }
                }
              });
      t.setDaemon(true);
      t.start();
      return t;
    }

    private static void copy(InputStream from, OutputStream to) throws IOException {
      byte[] buf = new byte[8192];
      int n;
      while ((n = from.read(buf)) >= 0) {
        to.write(buf, 0, n);
        to.flush();
      }
    }

    @Override
    public void destroy(ChannelSession channel) {
      if (process != null) {
        process.destroyForcibly();
      }
    }
  }
}
