package dev.bannerranker.bench.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The reliability suite starts services with the JVM flags of {@code bin/ranker serve} and of the image. */
class ServeJavaFlagsTest {

  @Test
  void theSuiteTheLauncherAndTheImageAgree() throws Exception {
    Matcher launcher = Pattern.compile("(?m)^SERVE_JAVA_FLAGS=\"(.*)\"$").matcher(Files.readString(Path.of("../bin/ranker")));
    assertTrue(launcher.find(), "bin/ranker defines SERVE_JAVA_FLAGS");
    assertEquals(List.of(launcher.group(1).split(" ")), ServiceProcess.SERVE_JAVA_FLAGS);
    String pom = Files.readString(Path.of("../serving/pom.xml"));
    for (String flag : ServiceProcess.SERVE_JAVA_FLAGS) {
      assertTrue(pom.contains("<jvmFlag>" + flag + "</jvmFlag>"), "the image's jvmFlags carry " + flag);
    }
  }

  @Test
  void serviceJavaOptsAreSplitIntoFlags() {
    assertEquals(List.of(), ServiceProcess.javaFlags(null));
    assertEquals(List.of(), ServiceProcess.javaFlags("  "));
    assertEquals(List.of("-XX:+UseG1GC", "-Xmn64m"), ServiceProcess.javaFlags(" -XX:+UseG1GC \t -Xmn64m "));
  }
}
