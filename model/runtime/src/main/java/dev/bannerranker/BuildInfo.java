package dev.bannerranker;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The versions of this build, from {@code build-info.properties}, which Maven fills in at build time: so the trainer's
 * provenance, {@code --version} and the service's start-up banner all report the same project version, commit and
 * DL4J version, and none of them is a literal that can drift.
 *
 * @param version the project version from the pom
 * @param commit the git commit the build was made from (12 hex digits; local changes are not marked), or {@value
 *     #UNKNOWN} when the build was made outside git
 * @param dl4jVersion the DL4J version the trainer is built with
 */
public record BuildInfo(String version, String commit, String dl4jVersion) {
  public static final String UNKNOWN = "unknown";
  static final String RESOURCE = "build-info.properties";

  private static final BuildInfo CURRENT = load();

  /** This build's versions. */
  public static BuildInfo current() {
    return CURRENT;
  }

  /** The processor architecture the JVM runs on ({@code os.arch}), which float results can depend on. */
  public static String osArch() {
    return System.getProperty("os.arch", UNKNOWN);
  }

  /** e.g. {@code 0.1.0-SNAPSHOT (commit 1a2b3c4d5e6f)}. */
  public String describe() {
    return version + " (commit " + commit + ")";
  }

  static BuildInfo load() {
    Properties p = new Properties();
    try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      // unreadable: every value reads as unknown below
    }
    return fromProperties(p);
  }

  /** Values Maven did not fill in (still {@code ${...}}) or that are missing read as {@value #UNKNOWN}. */
  static BuildInfo fromProperties(Properties p) {
    return new BuildInfo(value(p, "version"), value(p, "commit"), value(p, "dl4j"));
  }

  private static String value(Properties p, String key) {
    String v = p.getProperty(key, "").strip();
    return v.isEmpty() || v.contains("${") ? UNKNOWN : v;
  }
}
