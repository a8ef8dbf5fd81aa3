package dev.bannerranker.trainer.sessions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bannerranker.bundle.BundleIO;
import dev.bannerranker.cli.ExitCodes;
import dev.bannerranker.trainer.cli.RankerCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class SessionCommandsTest {
  @TempDir
  Path dir;

  private int run(String... args) {
    CommandLine cl = RankerCli.commandLine();
    cl.setErr(new PrintWriter(new StringWriter()));
    return cl.execute(args);
  }

  private void writeLog(Path data) throws Exception {
    Files.createDirectories(data);
    StringBuilder sb = new StringBuilder("session_id,item_id,timestamp\n");
    long t = 1_772_438_400L;
    for (SessionLog.Session s : SessionTuningTest.topicSessions(300, 5)) {
      for (String item : s.items()) {
        sb.append(s.id()).append(',').append(item).append(',').append(t++).append('\n');
      }
    }
    Files.writeString(data.resolve(SessionLogReader.FILE), sb);
  }

  /** Writes the topic log to dir/data and trains dir/bundle from it with small vectors. */
  private Path trainOnTopicLog(String... options) throws Exception {
    Path data = dir.resolve("data");
    writeLog(data);
    Path bundle = dir.resolve("bundle");
    List<String> args = new java.util.ArrayList<>(List.of("train", "--format", "sessions", "--data", data.toString(),
        "--out", bundle.toString(), "--min-count", "1", "--dim", "8"));
    args.addAll(List.of(options));
    assertEquals(0, run(args.toArray(String[]::new)));
    return bundle;
  }

  @Test
  void trainEvaluateAndInspectASessionLog() throws Exception {
    Path bundle = trainOnTopicLog("--i2v-tune", "--i2v-tune-budget", "2");
    Path data = dir.resolve("data");
    JsonNode manifest = BundleIO.json().readTree(bundle.resolve(ItemVectorBundle.MANIFEST).toFile());
    assertEquals("sessions", manifest.path("provenance").path("data_format").asText());
    assertEquals(2, manifest.path("tuning").path("trials").size());
    for (String k : List.of("epochs", "window", "negatives", "subsampling")) {
      assertTrue(manifest.path("hyperparameters").path("item2vec").has(k), k);
    }
    assertEquals(2, manifest.path("formatVersion").asInt());
    assertTrue(manifest.path("tuning").path("trials").get(0).has("scoring"));
    String scoring = manifest.path("hyperparameters").path(SessionPipeline.SCORING_KEY).path("method").asText();
    assertTrue(List.of("cosine", "input_output").contains(scoring), scoring);
    ItemVectorBundle loaded = ItemVectorBundle.load(bundle);
    assertEquals(120, loaded.items().size());
    assertEquals(120, loaded.outputs().length);
    assertEquals(8, loaded.outputs()[0].length);

    Path report = dir.resolve("report");
    assertEquals(0, run("evaluate", "--format", "sessions", "--data", data.toString(), "--bundle", bundle.toString(),
        "--report", report.toString()));
    JsonNode next = BundleIO.json().readTree(report.resolve("report.json").toFile()).path("next_item");
    for (String metric : List.of("hr_at_20", "mrr_at_20")) {
      for (String method : List.of("item2vec", "popularity", "item_knn")) {
        double v = next.path(metric).path(method).asDouble(-1);
        assertTrue(v >= 0 && v <= 1, metric + "." + method + " = " + v);
      }
      JsonNode diff = next.path("item2vec_minus_item_knn").path(metric);
      assertTrue(diff.path("low").asDouble() <= diff.path("estimate").asDouble()
          && diff.path("estimate").asDouble() <= diff.path("high").asDouble(), metric);
    }
    assertTrue(next.path("predictions").asLong() > 0);
    assertEquals(scoring, next.path(SessionPipeline.SCORING_KEY).path("method").asText());

    assertEquals(0, run("inspect", "--bundle", bundle.toString(), "--nearest", "p0", "-k", "3"));
    assertEquals(ExitCodes.USAGE, run("inspect", "--bundle", bundle.toString(), "--nearest", "no-such-item"));
  }

  @Test
  void aBadLogExitsWithTheBadDataCode() throws Exception {
    Path data = dir.resolve("data");
    Files.createDirectories(data);
    Files.writeString(data.resolve(SessionLogReader.FILE), "session_id,item_id,timestamp\ns1,a,never\ns1,b,1\n");
    assertEquals(ExitCodes.BAD_DATA, run("train", "--format", "sessions", "--data", data.toString(), "--out",
        dir.resolve("b").toString()));
    assertTrue(Files.notExists(dir.resolve("b")));
  }

  @Test
  void aFormatOneBundleWithoutOutputVectorsStillLoadsAndIsScoredByCosine() throws Exception {
    Path bundle = trainOnTopicLog("--i2v-epochs", "2");
    Path data = dir.resolve("data");
    ItemVectorBundle v2 = ItemVectorBundle.load(bundle);
    java.util.Map<String, Object> m = new java.util.LinkedHashMap<>(v2.manifest());
    m.remove("files");
    m.put("formatVersion", 1);
    @SuppressWarnings("unchecked")
    java.util.Map<String, Object> hp = new java.util.LinkedHashMap<>((java.util.Map<String, Object>) m.get(
        "hyperparameters"));
    hp.remove(SessionPipeline.SCORING_KEY);
    m.put("hyperparameters", hp);
    Path old = dir.resolve("old");
    new ItemVectorBundle(m, v2.items(), v2.categories(), v2.vectors(), null).write(old, false, java.util.Map.of());
    assertEquals(1, dev.bannerranker.bundle.TensorFile.read(old.resolve(ItemVectorBundle.VECTORS)).size());

    ItemVectorBundle v1 = ItemVectorBundle.load(old);
    assertEquals(null, v1.outputs());
    assertEquals(120, v1.vectors().length);
    Path report = dir.resolve("report");
    assertEquals(0, run("evaluate", "--format", "sessions", "--data", data.toString(), "--bundle", old.toString(),
        "--report", report.toString()));
    JsonNode next = BundleIO.json().readTree(report.resolve("report.json").toFile()).path("next_item");
    assertEquals("cosine", next.path(SessionPipeline.SCORING_KEY).path("method").asText());
    assertTrue(next.path("hr_at_20").path("item2vec").asDouble(-1) >= 0);
  }
}
