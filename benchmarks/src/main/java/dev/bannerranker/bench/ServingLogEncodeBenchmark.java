package dev.bannerranker.bench;

import dev.bannerranker.servinglog.DecisionRecord;
import dev.bannerranker.servinglog.DecisionRecord.LoggedBanner;
import dev.bannerranker.servinglog.ServingLogEncoder;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What encoding one decision record costs the serving log's writer thread: the Jackson generator the log was
 * written with before ({@link JacksonLogEncoder}) against the hand-written {@link ServingLogEncoder}, both into
 * memory. The records are shaped like benchmarks/logging-cost.sh's (4 banners, about 850 bytes), each with its own
 * request id and scores. Run with {@code -prof gc} for the bytes allocated per record.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
@Threads(1)
public class ServingLogEncodeBenchmark {
  @Param({"jackson", "direct"})
  public String encoder;

  @Param({"4"})
  public int banners;

  private static final int RECORDS = 1024;
  private DecisionRecord[] records;
  private int next;
  private JacksonLogEncoder jackson;
  private ServingLogEncoder direct;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    SplittableRandom rnd = new SplittableRandom(42);
    Instant t = Instant.parse("2026-03-15T12:00:00Z");
    records = new DecisionRecord[RECORDS];
    for (int i = 0; i < RECORDS; i++) {
      List<LoggedBanner> bs = new ArrayList<>();
      for (int b = 0; b < banners; b++) {
        bs.add(new LoggedBanner(String.format("bn-%05d", rnd.nextInt(400)), b + 1, (float) rnd.nextDouble(),
            (float) rnd.nextDouble(0.3), "personalized", b == banners - 1 ? 0.95 : 1.0));
      }
      records[i] = new DecisionRecord(t.plusMillis(i / 8), Long.toHexString(rnd.nextLong()),
          String.format("u-%06d", rnd.nextInt(2000)), "home_carousel", null, "control", "wd-20261206-044314-7d35ddc1",
          "catalog/banners-7c5c0c480899ab29.csv", 1, "personalized", "greedy", banners, bs);
    }
    switch (encoder) {
      case "jackson" -> jackson = new JacksonLogEncoder(OutputStream.nullOutputStream());
      case "direct" -> direct = new ServingLogEncoder(64 * 1024);
      default -> throw new IllegalArgumentException("encoder must be jackson or direct: " + encoder);
    }
  }

  /** One record encoded; the direct encoder's buffer is emptied as the writer empties it into the file. */
  @Benchmark
  public void encode() throws IOException {
    DecisionRecord r = records[next++ & (RECORDS - 1)];
    if (jackson != null) {
      jackson.line(r);
    } else {
      direct.line(r);
      if (direct.size() >= 60 * 1024) {
        direct.clear();
      }
    }
  }
}
