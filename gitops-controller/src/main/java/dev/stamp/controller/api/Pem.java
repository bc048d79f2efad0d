package dev.stamp.controller.api;

import dev.stamp.controller.ControllerException;
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
 * the one command that converts them. The agent has the same reader ({@code dev.stamp.agent.Pem});
 * this module may not depend on the agent, so both are candidates for one shared home.
 */
final class Pem {

  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

  private Pem() {}

  /** A key store holding the key and its certificate chain under alias {@code controller}. */
  static KeyStore keyStore(Path certFile, Path keyFile, char[] password)
      throws ControllerException {
    List<Certificate> chain = certificates(certFile);
    if (chain.isEmpty()) {
      throw ControllerException.badInput("TLS certificate " + certFile + ": no CERTIFICATE block");
    }
    PrivateKey key = privateKey(keyFile);
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("controller", key, password, chain.toArray(Certificate[]::new));
      return ks;
    } catch (GeneralSecurityException | IOException e) {
      throw ControllerException.badInput(
          "TLS key " + keyFile + " with " + certFile + ": " + e.getMessage());
    }
  }

  /** A trust store of every certificate in {@code caFile}. */
  static KeyStore trustStore(Path caFile) throws ControllerException {
    List<Certificate> cas = certificates(caFile);
    if (cas.isEmpty()) {
      throw ControllerException.badInput("CA file " + caFile + ": no CERTIFICATE block");
    }
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      for (int i = 0; i < cas.size(); i++) {
        ks.setCertificateEntry("ca" + i, cas.get(i));
      }
      return ks;
    } catch (GeneralSecurityException | IOException e) {
      throw ControllerException.badInput("CA file " + caFile + ": " + e.getMessage());
    }
  }

  static List<Certificate> certificates(Path file) throws ControllerException {
    List<Certificate> out = new ArrayList<>();
    try {
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      for (Block b : blocks(file)) {
        if (b.type().equals("CERTIFICATE")) {
          out.add(cf.generateCertificate(new ByteArrayInputStream(b.der())));
        }
      }
    } catch (GeneralSecurityException e) {
      throw ControllerException.badInput("certificate " + file + ": " + e.getMessage());
    }
    return out;
  }

  static PrivateKey privateKey(Path file) throws ControllerException {
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
          throw ControllerException.badInput(
              "TLS key " + file + ": not an RSA, EC or Ed25519 PKCS#8 key");
        }
        case "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY" ->
            throw ControllerException.badInput(
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
    throw ControllerException.badInput("TLS key " + file + ": no PRIVATE KEY block");
  }

  private record Block(String type, byte[] der) {}

  private static List<Block> blocks(Path file) throws ControllerException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw ControllerException.badInput(
          "PEM file " + file + ": cannot read it: " + e.getMessage());
    }
    List<Block> out = new ArrayList<>();
    Matcher m = BLOCK.matcher(text);
    while (m.find()) {
      try {
        out.add(new Block(m.group(1), Base64.getMimeDecoder().decode(m.group(2))));
      } catch (IllegalArgumentException e) {
        throw ControllerException.badInput("PEM file " + file + ": bad base64 in " + m.group(1));
      }
    }
    return out;
  }
}
