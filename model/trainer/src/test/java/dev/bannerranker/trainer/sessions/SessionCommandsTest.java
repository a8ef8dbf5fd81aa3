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

  @Test
  void trainEvaluateAndInspectASessionLog() throws Exception {
    Path data = dir.resolve("data");
    writeLog(data);
    Path bundle = dir.resolve("bundle");
    assertEquals(0, run("train", "--format", "sessions", "--data", data.toString(), "--out", bundle.toString(),
        "--i2v-tune", "--i2v-tune-budget", "2", "--min-count", "1", "--dim", "8"));
    JsonNode manifest = BundleIO.json().readTree(bundle.resolve(ItemVectorBundle.MANIFEST).toFile());
    assertEquals("sessions", manifest.path("provenance").path("data_format").asText());
    assertEquals(2, manifest.path("tuning").path("trials").size());
    for (String k : List.of("epochs", "window", "negatives", "subsampling")) {
      assertTrue(manifest.path("hyperparameters").path("item2vec").has(k), k);
    }
    assertEquals(120, ItemVectorBundle.load(bundle).items().size());

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
}
