package dev.stamp.controller.git;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.sshd.ServerKeyDatabase;

/**
 * Host keys from one known_hosts file, read-only: a key is accepted only when the file lists it for
 * the host (and port); an unknown or changed key is refused, never added or asked about. The last
 * refusal is kept so the fetch can say why the connection failed.
 */
final class StrictKnownHosts implements ServerKeyDatabase {

  private final Path file;
  private volatile String refusal;

  StrictKnownHosts(Path file) {
    this.file = file;
  }

  /** Why the last host key was refused, or null. {@code file} may be null: nothing is known. */
  String refusal() {
    return refusal;
  }

  /** Forgets the last refusal (a new connection starts). */
  void reset() {
    refusal = null;
  }

  @Override
  public List<PublicKey> lookup(
      String connectAddress, InetSocketAddress remoteAddress, Configuration config) {
    try {
      return keysFor(remoteAddress.getHostString(), remoteAddress.getPort(), connectAddress);
    } catch (IOException | GeneralSecurityException e) {
      return List.of();
    }
  }

  @Override
  public boolean accept(
      String connectAddress,
      InetSocketAddress remoteAddress,
      PublicKey serverKey,
      Configuration config,
      CredentialsProvider provider) {
    String host = remoteAddress.getHostString() + ":" + remoteAddress.getPort();
    if (file == null) {
      refusal =
          "no known_hosts file is configured for this repository, so the ssh host key of "
              + host
              + " ("
              + KeyUtils.getFingerPrint(serverKey)
              + ") cannot be checked; unknown hosts are never accepted automatically";
      return false;
    }
    List<PublicKey> known;
    try {
      known = keysFor(remoteAddress.getHostString(), remoteAddress.getPort(), connectAddress);
    } catch (IOException | GeneralSecurityException e) {
      refusal = "cannot read known_hosts file " + file + " (" + e.getClass().getSimpleName() + ")";
      return false;
    }
    for (PublicKey k : known) {
      if (KeyUtils.compareKeys(k, serverKey)) {
        refusal = null;
        return true;
      }
    }
    refusal =
        known.isEmpty()
            ? "the ssh host key of "
                + host
                + " ("
                + KeyUtils.getFingerPrint(serverKey)
                + ") is unknown: it is not in known_hosts file "
                + file
                + "; unknown hosts are never accepted automatically"
            : "the ssh host key of "
                + host
                + " ("
                + KeyUtils.getFingerPrint(serverKey)
                + ") does not match the one in known_hosts file "
                + file;
    return false;
  }

  private List<PublicKey> keysFor(String host, int port, String connectAddress)
      throws IOException, GeneralSecurityException {
    List<PublicKey> keys = new ArrayList<>();
    if (file == null) {
      return keys;
    }
    for (KnownHostEntry e : KnownHostEntry.readKnownHostEntries(file)) {
      if (e.getMarker() != null) {
        continue; // @revoked and @cert-authority entries are never a match
      }
      boolean match = e.isHostMatch(host, port);
      if (!match && connectAddress != null) {
        match = matchesConnectAddress(e, connectAddress);
      }
      if (match) {
        PublicKey key =
            e.getKeyEntry().resolvePublicKey(null, null, PublicKeyEntryResolver.IGNORING);
        if (key != null) {
          keys.add(key);
        }
      }
    }
    return keys;
  }

  private static boolean matchesConnectAddress(KnownHostEntry e, String connectAddress) {
    // connectAddress is "host" or "[host]:port" as written in the URL
    String host = connectAddress;
    int port = 22;
    if (connectAddress.startsWith("[")) {
      int close = connectAddress.indexOf(']');
      host = connectAddress.substring(1, close);
      if (connectAddress.length() > close + 2) {
        port = Integer.parseInt(connectAddress.substring(close + 2));
      }
    }
    return e.isHostMatch(host, port);
  }
}
