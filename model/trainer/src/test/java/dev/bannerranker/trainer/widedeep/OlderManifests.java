package dev.bannerranker.trainer.widedeep;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bannerranker.bundle.Bundle;
import dev.bannerranker.bundle.BundleIO;
import dev.bannerranker.testing.RandomBundles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Wide & deep settings as a bundle of an older format records them, read back through the loader's migration. */
final class OlderManifests {
  private OlderManifests() {}

  /** Writes a format {@code version} bundle whose manifest holds {@code wideDeep} and reads its settings back. */
  static WideDeepConfig readBack(Map<String, Object> wideDeep, int version) throws IOException {
    Path dir = Files.createTempDirectory("older-manifest");
    try {
      Path bundle = dir.resolve("bundle");
      BundleIO.write(RandomBundles.create(1, 12), bundle, false);
      Path manifest = bundle.resolve(Bundle.MANIFEST);
      ObjectNode json = (ObjectNode) BundleIO.json().readTree(manifest.toFile());
      json.put("formatVersion", version);
      json.putPOJO("hyperparameters", Map.of("wide_deep", wideDeep));
      Files.writeString(manifest, BundleIO.json().writeValueAsString(json));
      Files.writeString(bundle.resolve(Bundle.MANIFEST_CHECKSUM), BundleIO.sealLine(Files.readAllBytes(manifest)));
      if (version < 3) {
        Files.delete(bundle.resolve(Bundle.MANIFEST_CHECKSUM)); // older formats have no seal
      }
      return BundleIO.readManifest(bundle).hyperparameter("wide_deep", WideDeepConfig.class);
    } finally {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
