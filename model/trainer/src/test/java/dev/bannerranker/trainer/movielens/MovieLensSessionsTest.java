package dev.bannerranker.trainer.movielens;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bannerranker.bundle.BundleIO;
import dev.bannerranker.trainer.cli.RankerCli;
import dev.bannerranker.trainer.sessions.SessionLogReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** MovieLens 100K as a session log (each user's ratings in time order): export, train and the next-item report. */
class MovieLensSessionsTest {
  @TempDir
  Path dir;

  private static int run(String... args) {
    CommandLine cl = RankerCli.commandLine();
    cl.setErr(new PrintWriter(new StringWriter()));
    return cl.execute(args);
  }

  @Test
  void nextItemReportOnMovieLensSessions() throws Exception {
    Path ml = SharedData.movieLensOrSkip();
    Path data = dir.resolve("sessions");
    assertEquals(0, run("export-sessions", "--format", "movielens", "--data", ml.toString(), "--out", data.toString()));
    assertEquals(943, SessionLogReader.read(data, 0).sessions().size()); // one session per user
    Path bundle = dir.resolve("bundle");
    assertEquals(0, run("train", "--format", "sessions", "--data", data.toString(), "--out", bundle.toString()));
    Path report = dir.resolve("report");
    assertEquals(0, run("evaluate", "--format", "sessions", "--data", data.toString(), "--bundle", bundle.toString(),
        "--report", report.toString()));
    JsonNode next = BundleIO.json().readTree(report.resolve("report.json").toFile()).path("next_item");
    assertTrue(next.path("predictions").asLong() > 1000);
    JsonNode hr = next.path("hr_at_20");
    // co-occurrence with the last movie knows more than the chart of the most rated ones
    assertTrue(hr.path("item_knn").asDouble() > hr.path("popularity").asDouble(), hr.toString());
    assertTrue(hr.path("item2vec").asDouble() > 0, hr.toString());
  }
}
