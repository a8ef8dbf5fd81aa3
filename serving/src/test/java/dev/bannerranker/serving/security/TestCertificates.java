package dev.bannerranker.serving.security;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

/**
 * Self-signed certificates for the TLS tests, made by the JDK's keytool and written as PEM (the key as PKCS#8), the
 * files the service's TLS keys name.
 */
final class TestCertificates {
  private static final String PASSWORD = "test-only";

  /** The certificate and key files of one identity. */
  record Pem(Path cert, Path key) {}

  private TestCertificates() {}

  /** A self-signed EC certificate for {@code cn}, valid for localhost and 127.0.0.1, written to {@code dir}. */
  static Pem create(Path dir, String cn) throws IOException, InterruptedException, GeneralSecurityException {
    Path store = dir.resolve(cn + ".p12");
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", cn, "-keyalg", "EC",
        "-groupname", "secp256r1", "-dname", "CN=" + cn, "-ext", "san=dns:localhost,ip:127.0.0.1",
        "-validity", "2", "-keystore", store.toString(), "-storetype", "PKCS12",
        "-storepass", PASSWORD, "-keypass", PASSWORD)
        .redirectErrorStream(true).redirectOutput(dir.resolve(cn + ".log").toFile()).start();
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException("keytool failed: " + Files.readString(dir.resolve(cn + ".log")));
    }
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      ks.load(in, PASSWORD.toCharArray());
    }
    Certificate cert = ks.getCertificate(cn);
    Key key = ks.getKey(cn, PASSWORD.toCharArray());
    return new Pem(Files.writeString(dir.resolve(cn + ".crt"), pem("CERTIFICATE", cert.getEncoded())),
        Files.writeString(dir.resolve(cn + ".key"), pem("PRIVATE KEY", key.getEncoded())));
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }
}
