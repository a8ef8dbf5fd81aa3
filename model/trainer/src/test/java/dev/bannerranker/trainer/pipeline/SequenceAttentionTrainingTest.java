package dev.bannerranker.trainer.pipeline;

import static org.junit.jupiter.api.Assertions.*;

import dev.bannerranker.bundle.Bundle;
import dev.bannerranker.bundle.BundleIO;
import dev.bannerranker.features.SequenceAttention;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** What {@code train --sequence-attention on|off} records, and that the bundle loads back with it. */
class SequenceAttentionTrainingTest {

  @Test
  void theManifestRecordsWhetherTheNetworkHasSequenceAttention() throws Exception {
    TinyWorld.withSequenceAttention();
    Bundle loaded = BundleIO.load(TinyWorld.ROOT.resolve("bundle-attention"));
    assertEquals(Bundle.FORMAT_VERSION, loaded.manifest().formatVersion());
    assertEquals("on", loaded.manifest().hyperparameters().get("sequence_attention"));
    SequenceAttention a = loaded.spec().sequenceAttention();
    assertNotNull(a);
    assertEquals(SequenceAttention.DEFAULT_LENGTH, a.length());
    assertEquals(SequenceAttention.DEFAULT_DIM, a.dim());
    assertNotNull(loaded.weights().attention());
    assertEquals(loaded.spec().hiddenLayers().get(0) + a.dim(), loaded.bannerFirstLayer()[1].length);

    Bundle off = TinyWorld.TRAINED.bundle();
    assertEquals("off", off.manifest().hyperparameters().get("sequence_attention"));
    assertNull(off.spec().sequenceAttention());
    assertNull(off.weights().attention());
    // without attention the manifest's feature spec has no such key at all
    assertFalse(Files.readString(TinyWorld.ROOT.resolve("bundle").resolve(Bundle.MANIFEST))
        .contains("sequenceAttention"));
  }
}
