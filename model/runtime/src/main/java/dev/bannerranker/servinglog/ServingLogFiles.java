package dev.bannerranker.servinglog;

import dev.bannerranker.bundle.Checksums;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Names in a log directory: {@code serving-<UTC yyyyMMdd'T'HHmmss'Z'>-<seq>.jsonl} log files and the catalog
 * snapshots {@code catalog/banners-<first 16 hex of sha256>.csv}. A writer numbers its files on from the highest
 * sequence number already in the directory, so the sequence number gives the writing order even when the clock
 * stepped back between two runs.
 */
public final class ServingLogFiles {
  private ServingLogFiles() {}

  public static final String CATALOG_DIR = "catalog";
  private static final Pattern LOG_FILE = Pattern.compile("serving-(\\d{8}T\\d{6}Z)-(\\d{6})\\.jsonl");
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  /** The name of a log file opened at {@code start} with sequence number {@code seq} (1 to 999999). */
  public static String logFileName(Instant start, int seq) {
    if (seq < 1 || seq > 999_999) {
      throw new IllegalArgumentException("log file sequence must be 1 to 999999, got " + seq);
    }
    return "serving-" + STAMP.format(start) + "-" + String.format("%06d", seq) + ".jsonl";
  }

  public static boolean isLogFile(Path file) {
    return LOG_FILE.matcher(file.getFileName().toString()).matches();
  }

  /** The sequence number in a log file's name, or 0 when the name is not a log file's. */
  public static int sequenceOf(Path file) {
    Matcher m = LOG_FILE.matcher(file.getFileName().toString());
    return m.matches() ? Integer.parseInt(m.group(2)) : 0;
  }

  /** The log files directly in {@code dir}, in writing order: by sequence number, then by name. */
  public static List<Path> logFiles(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> Files.isRegularFile(p) && isLogFile(p))
          .sorted(Comparator.comparingInt(ServingLogFiles::sequenceOf)
              .thenComparing(p -> p.getFileName().toString()))
          .toList();
    }
  }

  /** The largest sequence number among the log files in {@code dir}, 0 when there are none. */
  public static int lastSequence(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    return logFiles(dir).stream().mapToInt(ServingLogFiles::sequenceOf).max().orElse(0);
  }

  /** {@code catalog/banners-<hash>.csv}, relative to the log directory, with '/' as separator. */
  public static String catalogSnapshotName(String sha256Hex) {
    return CATALOG_DIR + "/banners-" + sha256Hex.substring(0, 16) + ".csv";
  }

  /**
   * Copies {@code bannersCsv} byte for byte into {@code logDir/catalog/} unless a snapshot with the same content
   * hash is there already; returns the snapshot's path relative to {@code logDir}. The copy goes through a temporary
   * file and a rename, so a reader never sees half a snapshot.
   */
  public static String snapshotCatalog(Path logDir, Path bannersCsv) throws IOException {
    String name = catalogSnapshotName(Checksums.sha256(bannersCsv));
    Path target = logDir.resolve(name);
    if (!Files.exists(target)) {
      Files.createDirectories(target.getParent());
      Path tmp = Files.createTempFile(target.getParent(), ".banners-", ".tmp");
      try {
        Files.copy(bannersCsv, tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(tmp);
      }
    }
    return name;
  }
}
