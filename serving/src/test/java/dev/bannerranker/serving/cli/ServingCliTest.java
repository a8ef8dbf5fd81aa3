package dev.bannerranker.serving.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bannerranker.bundle.Bundle;
import dev.bannerranker.cli.ExitCodes;
import dev.bannerranker.data.BadInputException;
import dev.bannerranker.serving.TestBundles;
import io.micronaut.context.exceptions.BeanInstantiationException;
import io.micronaut.http.server.exceptions.ServerStartupException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exit codes and messages of {@code serve} and {@code rank}, run in-process. Every {@code serve} here asks for
 * ephemeral ports and is expected to stop before it opens them; the timeout ends one that starts serving instead.
 */
@Timeout(60)
class ServingCliTest {
  @TempDir Path dir;

  record Run(int code, String err) {}

  static Run run(String... args) {
    StringWriter err = new StringWriter();
    int code = ServingCli.commandLine().setErr(new PrintWriter(err, true)).execute(args);
    return new Run(code, err.toString());
  }

  private static Run serve(String... args) {
    String[] ports = {"--port", "0", "--metrics-port", "0", "--admin-port", "0"};
    String[] all = new String[args.length + 1 + ports.length];
    all[0] = "serve";
    System.arraycopy(args, 0, all, 1, args.length);
    System.arraycopy(ports, 0, all, args.length + 1, ports.length);
    return run(all);
  }

  /** The tiny bundle with one byte of network.bin flipped: same size, wrong checksum. */
  private Path corruptCopy() throws IOException {
    Path copy = TestBundles.copy(TestBundles.TINY, dir.resolve("corrupt"));
    Path network = copy.resolve(Bundle.NETWORK);
    byte[] bytes = Files.readAllBytes(network);
    bytes[bytes.length / 2] ^= (byte) 0xff;
    Files.write(network, bytes);
    return copy;
  }

  /** --version reports the build's project version and commit, as the trainer's does. */
  @Test
  void versionIsTheBuilds() {
    StringWriter out = new StringWriter();
    assertEquals(0, ServingCli.commandLine().setOut(new PrintWriter(out, true)).execute("--version"));
    assertTrue(out.toString().contains(dev.bannerranker.BuildInfo.current().version())
        && out.toString().contains(dev.bannerranker.BuildInfo.current().commit()), out.toString());
  }

  @Test
  void aMissingBundleDirectoryExitsWithBadBundleNamingIt() {
    Path missing = dir.resolve("no-such-bundle");
    Run r = serve("--bundle", missing.toString());
    assertEquals(ExitCodes.BAD_BUNDLE, r.code(), r.err());
    assertTrue(r.err().startsWith("error: bad bundle: the control bundle " + missing + " was refused: "), r.err());
    assertTrue(r.err().contains(missing + ": bundle directory not found"), r.err());
  }

  @Test
  void aCorruptBundleExitsWithBadBundleNamingTheFile() throws IOException {
    Path corrupt = corruptCopy();
    Run r = serve("--bundle", corrupt.toString());
    assertEquals(ExitCodes.BAD_BUNDLE, r.code(), r.err());
    assertTrue(r.err().startsWith("error: bad bundle: "), r.err());
    assertTrue(r.err().contains(corrupt.resolve(Bundle.NETWORK) + ": checksum mismatch"), r.err());
    assertFalse(r.err().contains("\tat "), "a bad bundle is no crash: no stack trace\n" + r.err());
  }

  @Test
  void aCorruptTreatmentBundleExitsWithBadBundleToo() throws IOException {
    Path corrupt = corruptCopy();
    Run r = serve("--bundle", TestBundles.TINY.toString(), "--treatment-bundle", corrupt.toString(),
        "--treatment-percent", "10");
    assertEquals(ExitCodes.BAD_BUNDLE, r.code(), r.err());
    assertTrue(r.err().contains("the treatment bundle " + corrupt + " was refused"), r.err());
    assertTrue(r.err().contains(corrupt.resolve(Bundle.NETWORK) + ": checksum mismatch"), r.err());
  }

  @Test
  void aModelsRootWithoutAValidVersionExitsWithBadBundle() throws IOException {
    Path root = Files.createDirectories(dir.resolve("models"));
    Run empty = serve("--models-root", root.toString());
    assertEquals(ExitCodes.BAD_BUNDLE, empty.code(), empty.err());
    assertTrue(empty.err().contains(root.toString()), empty.err());
    TestBundles.corruptChecksum(root.resolve("1"));
    Run bad = serve("--models-root", root.toString());
    assertEquals(ExitCodes.BAD_BUNDLE, bad.code(), bad.err());
    assertTrue(bad.err().contains("version 1"), bad.err());
    Run pinned = serve("--models-root", root.toString(), "--model-version", "4");
    assertEquals(ExitCodes.BAD_BUNDLE, pinned.code(), pinned.err());
    assertTrue(pinned.err().contains("version 4"), pinned.err());
  }

  @Test
  void modelSourceOptionsAreChecked() {
    String tiny = TestBundles.TINY.toString();
    for (String[] args : new String[][] {
        {"--bundle", tiny, "--models-root", tiny},
        {},
        {"--bundle", tiny, "--model-version", "2"},
        {"--models-root", tiny, "--model-version", "0"},
        {"--bundle", tiny, "--log-dir", TestBundles.TINY.resolve(Bundle.MANIFEST).toString()}}) {
      Run r = serve(args);
      assertEquals(ExitCodes.USAGE, r.code(), String.join(" ", args) + ": " + r.err());
    }
  }

  @Test
  void badOptionValuesExitWithUsageNamingTheOption() {
    String tiny = TestBundles.TINY.toString();
    Run port = serve("--bundle", tiny, "--port", "fifty");
    assertEquals(ExitCodes.USAGE, port.code(), port.err());
    assertTrue(port.err().contains("Invalid value for option '--port': 'fifty' is not an int"), port.err());

    Run percent = serve("--bundle", tiny, "--treatment-percent", "150");
    assertEquals(ExitCodes.USAGE, percent.code(), percent.err());
    assertTrue(percent.err().contains("--treatment-percent must be in [0, 100], got 150"), percent.err());

    Run time = serve("--bundle", tiny, "--default-time", "yesterday");
    assertEquals(ExitCodes.USAGE, time.code(), time.err());
    assertTrue(time.err().contains("--default-time must be an ISO-8601 instant"), time.err());

    Run rankTime = run("rank", "--target", "localhost:1", "--user", "u-1", "--time", "yesterday");
    assertEquals(ExitCodes.USAGE, rankTime.code(), rankTime.err());
    assertTrue(rankTime.err().contains("error: --time must be an ISO-8601 instant"), rankTime.err());
  }

  private static Run report(Throwable failure) {
    StringWriter err = new StringWriter();
    int code = ServingCli.report(failure, new PrintWriter(err, true));
    return new Run(code, err.toString());
  }

  @Test
  void startUpFailuresAreReportedByWhatTheBeanThrewNotByMicronautsWrapper() {
    Run data = report(new BeanInstantiationException("Error instantiating bean of type [ProfileStore]\n\nMessage: x",
        new BadInputException("/d/users.csv: file not found")));
    assertEquals(ExitCodes.BAD_DATA, data.code());
    assertEquals("error: bad input data: /d/users.csv: file not found", data.err().strip());

    Run config = report(new BeanInstantiationException("Error instantiating bean\nof type [RequestSettings]",
        new IllegalArgumentException("ranker.request limits must be positive")));
    assertEquals(ExitCodes.USAGE, config.code());
    assertEquals("error: ranker.request limits must be positive", config.err().strip());

    // The wrapper says which port, the cause only what went wrong: both are kept.
    Run port = report(new ServerStartupException("Unable to start Micronaut server on *:8080",
        new BindException("Address already in use")));
    assertEquals(ExitCodes.IO, port.code());
    assertEquals("error: Unable to start Micronaut server on *:8080: Address already in use", port.err().strip());
  }

  @Test
  void otherFailuresFollowTheSameTable() {
    Run io = report(new UncheckedIOException(new IOException("disk full")));
    assertEquals(ExitCodes.IO, io.code());
    assertTrue(io.err().startsWith("error: java.io.IOException: disk full"), io.err());

    Run usage = report(new IllegalArgumentException("bad value"));
    assertEquals(ExitCodes.USAGE, usage.code());
    assertEquals("error: bad value", usage.err().strip());

    // Unexpected, even inside a Micronaut wrapper: exit 1 with the whole chain's stack trace.
    Run bug = report(new BeanInstantiationException("Error instantiating bean", new IllegalStateException("bug")));
    assertEquals(ExitCodes.UNEXPECTED, bug.code());
    assertTrue(bug.err().startsWith("error: unexpected failure: "), bug.err());
    assertTrue(bug.err().contains("Caused by: java.lang.IllegalStateException: bug"), bug.err());
    assertTrue(bug.err().contains("\tat "), bug.err());
  }
}
