package dev.bannerranker.serving.store;

import dev.bannerranker.data.BadInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The checks on a RocksDB state directory before it is opened: it is created when missing or empty and then marked
 * with its layout version ({@value #LAYOUT_FILE}: {@value #LAYOUT}); a directory that is not one, cannot be read or
 * written, holds other files without the marker, or is marked with another version is refused, and never written to.
 * Refusals are an {@link UncheckedIOException} (exit code 5) for what the file system denies, a {@link
 * BadInputException} (exit code 3) for a directory that is not a state directory of this layout.
 */
public final class StateDirectory {
  public static final String LAYOUT_FILE = "LAYOUT";
  public static final String LAYOUT = "banner-ranker-state 1";

  private StateDirectory() {}

  /** Prepares {@code dir} for opening: created and marked when new, else checked. */
  public static void prepare(Path dir) {
    try {
      if (Files.exists(dir) && !Files.isDirectory(dir)) {
        throw new BadInputException("state directory " + dir + " is a file, not a directory");
      }
      Files.createDirectories(dir);
      if (!Files.isReadable(dir) || !Files.isWritable(dir) || !Files.isExecutable(dir)) {
        throw new UncheckedIOException(new IOException("state directory " + dir
            + " cannot be read and written by this user"));
      }
      Path marker = dir.resolve(LAYOUT_FILE);
      if (Files.exists(marker)) {
        String layout = Files.readString(marker, StandardCharsets.UTF_8).strip();
        if (!layout.equals(LAYOUT)) {
          throw new BadInputException("state directory " + dir + " has layout '" + clip(layout) + "', and this version "
              + "reads only '" + LAYOUT + "'; use another --state-dir (it is left as it is)");
        }
        return;
      }
      boolean empty;
      try (Stream<Path> files = Files.list(dir)) {
        empty = files.findAny().isEmpty();
      }
      if (!empty) {
        throw new BadInputException("state directory " + dir + " is not empty and has no " + LAYOUT_FILE
            + " marker, so it is not a banner-ranker state directory; use an empty or new one (it is left as it is)");
      }
      Files.writeString(marker, LAYOUT + "\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("state directory " + dir + ": " + e.getMessage(), e);
    }
  }

  private static String clip(String s) {
    return s.length() <= 80 ? s : s.substring(0, 80) + "...";
  }
}
