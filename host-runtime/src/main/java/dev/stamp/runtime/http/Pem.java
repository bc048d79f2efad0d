package dev.stamp.runtime.http;

import dev.stamp.runtime.HostRuntimeException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PEM files into key stores, with the JDK alone: certificates ({@code CERTIFICATE}) and PKCS#8
 * private keys ({@code PRIVATE KEY}, RSA or EC, what {@code openssl genpkey} and OpenSSL 3's {@code
 * req -newkey} write). Older {@code RSA PRIVATE KEY}/{@code EC PRIVATE KEY} files are refused with
 * the one command that converts them.
 */
public final class Pem {

  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

  private Pem() {}

  /** A key store holding the key and its certificate chain under alias {@code server}. */
  public static KeyStore keyStore(Path certFile, Path keyFile, char[] password)
      throws HostRuntimeException {
    List<Certificate> chain = certificates(certFile);
    if (chain.isEmpty()) {
      throw HostRuntimeException.badInput("TLS certificate " + certFile + ": no CERTIFICATE block");
    }
    PrivateKey key = privateKey(keyFile);
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("server", key, password, chain.toArray(Certificate[]::new));
      return ks;
    } catch (GeneralSecurityException | IOException e) {
      throw HostRuntimeException.badInput(
          "TLS key " + keyFile + " with " + certFile + ": " + e.getMessage());
    }
  }

  /** A trust store of every certificate in {@code caFile}. */
  public static KeyStore trustStore(Path caFile) throws HostRuntimeException {
    List<Certificate> cas = certificates(caFile);
    if (cas.isEmpty()) {
      throw HostRuntimeException.badInput("client CA " + caFile + ": no CERTIFICATE block");
    }
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      for (int i = 0; i < cas.size(); i++) {
        ks.setCertificateEntry("ca" + i, cas.get(i));
      }
      return ks;
    } catch (GeneralSecurityException | IOException e) {
      throw HostRuntimeException.badInput("client CA " + caFile + ": " + e.getMessage());
    }
  }

  public static List<Certificate> certificates(Path file) throws HostRuntimeException {
    List<Certificate> out = new ArrayList<>();
    try {
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      for (Block b : blocks(file)) {
        if (b.type().equals("CERTIFICATE")) {
          out.add(cf.generateCertificate(new ByteArrayInputStream(b.der())));
        }
      }
    } catch (GeneralSecurityException e) {
      throw HostRuntimeException.badInput("certificate " + file + ": " + e.getMessage());
    }
    return out;
  }

  public static PrivateKey privateKey(Path file) throws HostRuntimeException {
    for (Block b : blocks(file)) {
      switch (b.type()) {
        case "PRIVATE KEY" -> {
          for (String alg : List.of("RSA", "EC", "Ed25519")) {
            try {
              return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(b.der()));
            } catch (GeneralSecurityException e) {
              // try the next algorithm
            }
          }
          throw HostRuntimeException.badInput(
              "TLS key " + file + ": not an RSA, EC or Ed25519 PKCS#8 key");
        }
        case "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY" ->
            throw HostRuntimeException.badInput(
                "TLS key "
                    + file
                    + ": "
                    + b.type()
                    + " is not supported; convert it with: openssl pkcs8 -topk8 -nocrypt -in "
                    + file
                    + " -out key.pem");
        default -> {}
      }
    }
    throw HostRuntimeException.badInput("TLS key " + file + ": no PRIVATE KEY block");
  }

  private record Block(String type, byte[] der) {}

  private static List<Block> blocks(Path file) throws HostRuntimeException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw HostRuntimeException.badInput(
          "PEM file " + file + ": cannot read it: " + e.getMessage());
    }
    List<Block> out = new ArrayList<>();
    Matcher m = BLOCK.matcher(text);
    while (m.find()) {
      try {
        out.add(new Block(m.group(1), Base64.getMimeDecoder().decode(m.group(2))));
      } catch (IllegalArgumentException e) {
        throw HostRuntimeException.badInput("PEM file " + file + ": bad base64 in " + m.group(1));
      }
    }
    return out;
  }
}
