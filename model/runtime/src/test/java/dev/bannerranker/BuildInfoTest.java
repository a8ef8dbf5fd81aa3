package dev.bannerranker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Properties;
import org.junit.jupiter.api.Test;

class BuildInfoTest {
  /** The build filled the resource in: the project and DL4J versions are the pom's, the commit is git's or unknown. */
  @Test
  void theBuildFillsInItsVersions() {
    BuildInfo b = BuildInfo.current();
    assertTrue(b.version().matches("\\d+\\.\\d+\\.\\d+.*"), b.version());
    assertTrue(b.dl4jVersion().matches("\\d+\\.\\d+\\.\\d+.*"), b.dl4jVersion());
    assertTrue(b.commit().equals(BuildInfo.UNKNOWN) || b.commit().matches("[0-9a-f]{12}"), b.commit());
  }

  /** A build outside git leaves the commit placeholder unfilled: it reads as unknown, not as "${...}". */
  @Test
  void unfilledValuesReadAsUnknown() {
    Properties p = new Properties();
    p.setProperty("version", "1.2.3");
    p.setProperty("commit", "${buildNumber}");
    BuildInfo b = BuildInfo.fromProperties(p);
    assertEquals("1.2.3", b.version());
    assertEquals(BuildInfo.UNKNOWN, b.commit());
    assertEquals(BuildInfo.UNKNOWN, b.dl4jVersion());
  }
}
