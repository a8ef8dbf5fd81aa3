package dev.bannerranker.cli;

import static org.junit.jupiter.api.Assertions.*;

import dev.bannerranker.bundle.Bundle;
import dev.bannerranker.bundle.BundleIO;
import dev.bannerranker.testing.RandomBundles;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputPathsTest {
  @TempDir Path dir;

  @Test
  void forceReplacesABundleButNothingElse() throws IOException {
    Path data = Files.createDirectories(dir.resolve("data"));
    Files.writeString(data.resolve("users.csv"), "precious");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> OutputPaths.checkBundleTarget("--out", data, true));
    assertTrue(e.getMessage().contains("is not a model bundle"), e.getMessage());
    // the writer keeps the same rule, for callers that skip the check
    assertThrows(FileAlreadyExistsException.class, () -> BundleIO.write(RandomBundles.create(1, 12), data, true));
    assertEquals("precious", Files.readString(data.resolve("users.csv")));
    Path file = data.resolve("users.csv");
    assertThrows(IllegalArgumentException.class, () -> OutputPaths.checkBundleTarget("--out", file, true));
    assertEquals("precious", Files.readString(file));

    Path bundle = dir.resolve("bundle");
    BundleIO.write(RandomBundles.create(1, 12), bundle, false);
    e = assertThrows(IllegalArgumentException.class, () -> OutputPaths.checkBundleTarget("--out", bundle, false));
    assertTrue(e.getMessage().contains("exists; pass --force"), e.getMessage());
    OutputPaths.checkBundleTarget("--out", bundle, true);
    BundleIO.write(RandomBundles.create(2, 12), bundle, true);
    assertTrue(Files.isRegularFile(bundle.resolve(Bundle.MANIFEST)));
    OutputPaths.checkBundleTarget("--out", dir.resolve("new/deeper/bundle"), false);
  }

  @Test
  void anEmptyPathOrAFileIsNotAnOutputDirectory() throws IOException {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> OutputPaths.checkDirectory("--report", Path.of("")));
    assertEquals("--report is empty; name a directory", e.getMessage());
    Path file = Files.writeString(dir.resolve("f.txt"), "x");
    e = assertThrows(IllegalArgumentException.class, () -> OutputPaths.checkDirectory("--out", file));
    assertTrue(e.getMessage().contains("is a file, not a directory"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> OutputPaths.checkDirectory("--out", file.resolve("sub")));
    assertTrue(e.getMessage().contains("f.txt is a file, not a directory"), e.getMessage());
    OutputPaths.checkDirectory("--out", dir.resolve("fresh"));
    assertFalse(Files.exists(dir.resolve("fresh")), "checking creates nothing");
  }

  @Test
  void aFileSystemFailureSaysWhatWentWrongNotJustThePath() {
    assertEquals("/x/y: permission denied", ExitCodes.messageOf(new java.nio.file.AccessDeniedException("/x/y")));
    assertEquals("/x/y: exists; pass --force", ExitCodes.messageOf(
        new java.io.UncheckedIOException(new FileAlreadyExistsException("/x/y", null, "exists; pass --force"))));
    assertEquals("plain", ExitCodes.messageOf(new IOException("plain")));
  }
}
