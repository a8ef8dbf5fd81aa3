package dev.bannerranker.trainer.pipeline;

import dev.bannerranker.bundle.Checksums;
import dev.bannerranker.data.CsvSchemas;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

/** SHA-256 over the input files' names and contents: which data a model was trained on. */
public final class DataFingerprint {
  private DataFingerprint() {}

  public static String of(DataFormat format, Path dir) throws IOException {
    List<String> files = format == DataFormat.OWN
        ? List.of(CsvSchemas.BANNERS_FILE, CsvSchemas.USERS_FILE, CsvSchemas.EVENTS_FILE, CsvSchemas.IMPRESSIONS_FILE)
        : List.of("u.data", "u.item", "u.user");
    MessageDigest md = Checksums.newDigest();
    for (String f : files) {
      md.update(f.getBytes(StandardCharsets.UTF_8));
      Path p = dir.resolve(f);
      if (Files.exists(p)) {
        md.update(Checksums.sha256(p).getBytes(StandardCharsets.UTF_8));
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }
}
