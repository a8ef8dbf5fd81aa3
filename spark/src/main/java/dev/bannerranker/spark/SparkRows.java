package dev.bannerranker.spark;

import static dev.bannerranker.data.CsvSchemas.*;

import dev.bannerranker.bundle.Bundle;
import dev.bannerranker.bundle.BundleIO;
import dev.bannerranker.data.BadInputException;
import dev.bannerranker.data.Banner;
import dev.bannerranker.data.BehaviourEvent;
import dev.bannerranker.data.CsvTable;
import dev.bannerranker.data.DataProblems;
import dev.bannerranker.data.EventLog;
import dev.bannerranker.data.EventLogReader;
import dev.bannerranker.data.Impression;
import dev.bannerranker.data.UserProfile;
import dev.bannerranker.trainer.dataset.DatasetBuilder;
import dev.bannerranker.trainer.dataset.ImpressionDataset;
import dev.bannerranker.trainer.dataset.TimeSplit;
import dev.bannerranker.trainer.item2vec.Item2VecConfig;
import dev.bannerranker.trainer.item2vec.SessionBuilder;
import dev.bannerranker.trainer.pipeline.RowsContext;
import dev.bannerranker.trainer.shards.RowLayout;
import dev.bannerranker.trainer.shards.RowShards;
import dev.bannerranker.trainer.shards.ShardRow;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.HashPartitioner;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.Optional;
import scala.Tuple2;

/**
 * The point-in-time feature sweep as a Spark job. The two big tables are read and shuffled by user; each task then
 * runs the single-machine sweep ({@link DatasetBuilder}, so the runtime's {@code UserHistory}, {@code HistoryUpdates}
 * and {@code FeatureEncoder}) over its users alone: a row depends only on its own user's history, so the rows equal
 * those of one sweep over the whole log. Each task writes one row shard file, and one file of item2vec sessions.
 *
 * <p>The rows' user vectors come from item2vec and the fold-in factors, which train before the sweep; they, the
 * vocabularies, the feature settings, the time split and the banner statistics are read from a bundle trained on the
 * same data. The bundle and the two small tables are read by every task from the same path (a shared filesystem on a
 * cluster).
 */
public final class SparkRows {
  private SparkRows() {}

  /** What a run wrote. */
  public record Result(long rows, long sessions, int partitions, double seconds) {}

  /** One line of a table: its 1-based line number in the file (the header is line 1) and its text. */
  record Line(long number, String text) implements Serializable {}

  /** An impression line with its place in the time-sorted log and its true click rate (NaN without a truth file). */
  record ImpressionLine(long position, long number, String text, double trueCtr) implements Serializable {}

  public static Result run(JavaSparkContext sc, Path data, Path bundleDir, Path out, int partitions) throws IOException {
    long t0 = System.nanoTime();
    if (Files.isDirectory(out) && !RowShards.files(out).isEmpty()) {
      throw new BadInputException(out + ": holds row shards already; rows of two runs must not mix");
    }
    Files.createDirectories(out);
    for (String f : List.of(EVENTS_FILE, IMPRESSIONS_FILE)) {
      checkHeader(data.resolve(f), f.equals(EVENTS_FILE) ? EVENTS_HEADER : IMPRESSIONS_HEADER);
    }
    Context.of(data.toString(), bundleDir.toString()); // fails fast on the driver on a bad bundle or small table
    String dataDir = data.toString();
    String bundlePath = bundleDir.toString();
    String outDir = out.toString();

    JavaPairRDD<String, Line> events = lines(sc, data.resolve(EVENTS_FILE))
        .mapToPair(l -> new Tuple2<>(CsvTable.parseLine(EVENTS_FILE, EVENTS_HEADER, l.text(), l.number(),
            EventLogReader::parseEvent).userId(), l));
    JavaPairRDD<String, Double> truth = Files.exists(data.resolve(TRUTH_FILE))
        ? lines(sc, data.resolve(TRUTH_FILE)).mapToPair(l -> CsvTable.parseLine(TRUTH_FILE, TRUTH_HEADER, l.text(),
            l.number(), r -> new Tuple2<>(r.text("impression_id"), r.decimal("true_ctr", 0, 1))))
        : sc.parallelizePairs(List.<Tuple2<String, Double>>of());
    // The single-machine reader sorts the impressions by time, ties in file order: a row's position is its rank there.
    JavaPairRDD<String, ImpressionLine> impressions = lines(sc, data.resolve(IMPRESSIONS_FILE))
        .mapToPair(l -> new Tuple2<>(new Tuple2<>(impression(l).timestamp(), l.number()), l))
        .sortByKey(new TimeThenLine())
        .values()
        .zipWithIndex()
        .mapToPair(p -> new Tuple2<>(impression(p._1()).impressionId(), p))
        .leftOuterJoin(truth)
        .mapToPair(e -> {
          Line l = e._2()._1()._1();
          Optional<Double> ctr = e._2()._2();
          return new Tuple2<>(impression(l).userId(),
              new ImpressionLine(e._2()._1()._2(), l.number(), l.text(), ctr.isPresent() ? ctr.get() : Double.NaN));
        });

    List<long[]> counts = events.cogroup(impressions, new HashPartitioner(partitions))
        .mapPartitions(users -> sweep(users, dataDir, bundlePath, outDir))
        .collect();
    long rows = 0;
    long sessions = 0;
    for (long[] c : counts) {
      rows += c[0];
      sessions += c[1];
    }
    // What train needs besides the rows: train --rows OUT then reads neither the log nor the bundle's path.
    RowsContext.save(bundleDir, out);
    return new Result(rows, sessions, partitions, (System.nanoTime() - t0) / 1e9);
  }

  private static Impression impression(Line l) {
    return CsvTable.parseLine(IMPRESSIONS_FILE, IMPRESSIONS_HEADER, l.text(), l.number(), EventLogReader::parseImpression);
  }

  /** The data lines of a table with their line numbers. */
  private static JavaRDD<Line> lines(JavaSparkContext sc, Path file) {
    return sc.textFile(file.toUri().toString()).zipWithIndex()
        .filter(p -> p._2() > 0 && !p._1().isEmpty())
        .map(p -> new Line(p._2() + 1, p._1()));
  }

  private static void checkHeader(Path file, List<String> header) throws IOException {
    if (!Files.exists(file)) {
      throw new BadInputException(file + ": file not found (expected one of the four input tables, see docs/data-format.md)");
    }
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String first = r.readLine();
      String line = first == null ? "" : first.replace("\uFEFF", "");
      if (!line.equals(String.join(",", header))) {
        throw new BadInputException(file + ": line 1: header must be\n  " + String.join(",", header));
      }
    }
  }

  static final class TimeThenLine implements Comparator<Tuple2<Long, Long>>, Serializable {
    @Override
    public int compare(Tuple2<Long, Long> a, Tuple2<Long, Long> b) {
      int c = Long.compare(a._1(), b._1());
      return c != 0 ? c : Long.compare(a._2(), b._2());
    }
  }

  /** One task: its users' logs rebuilt in time order, swept, written as one row shard and one session file. */
  private static Iterator<long[]> sweep(Iterator<Tuple2<String, Tuple2<Iterable<Line>, Iterable<ImpressionLine>>>> users,
      String dataDir, String bundlePath, String outDir) throws IOException {
    Context c = Context.of(dataDir, bundlePath);
    List<Line> eventLines = new ArrayList<>();
    List<ImpressionLine> impressionLines = new ArrayList<>();
    while (users.hasNext()) {
      var u = users.next()._2();
      u._1().forEach(eventLines::add);
      u._2().forEach(impressionLines::add);
    }
    // Time order, ties in file order: the order of the single-machine reader's stable sort.
    List<BehaviourEvent> events = new ArrayList<>(eventLines.size());
    eventLines.sort(Comparator.comparingLong(Line::number));
    for (Line l : eventLines) {
      events.add(CsvTable.parseLine(EVENTS_FILE, EVENTS_HEADER, l.text(), l.number(), EventLogReader::parseEvent));
    }
    events.sort(Comparator.comparingLong(BehaviourEvent::timestamp));
    impressionLines.sort(Comparator.comparingLong(ImpressionLine::position));
    List<Impression> imps = new ArrayList<>(impressionLines.size());
    Map<String, Double> truth = new HashMap<>();
    for (ImpressionLine l : impressionLines) {
      Impression imp = CsvTable.parseLine(IMPRESSIONS_FILE, IMPRESSIONS_HEADER, l.text(), l.number(),
          EventLogReader::parseImpression);
      c.check(imp, l.number());
      imps.add(imp);
      if (!Double.isNaN(l.trueCtr())) {
        truth.put(imp.impressionId(), l.trueCtr());
      }
    }
    EventLog log = new EventLog(c.banners, c.users, events, imps, truth, new DataProblems(0));
    ImpressionDataset ds = DatasetBuilder.build(log, c.bundle.vocab(), c.bundle.vectors(), c.bundle.spec(), c.split,
        c.bundle.bannerStats(), null, 1);
    int part = TaskContext.getPartitionId();
    Path out = Path.of(outDir);
    long rows = 0;
    if (ds.size > 0) {
      ShardRow r = new ShardRow(RowLayout.of(ds));
      try (RowShards.FileWriter w = RowShards.FileWriter.create(out.resolve(String.format("rows-%05d%s", part,
          RowShards.SUFFIX)), RowLayout.of(ds))) {
        for (int i = 0; i < ds.size; i++) {
          r.copyFrom(ds, i);
          r.position = impressionLines.get(i).position();
          w.write(r);
          rows++;
        }
      }
    }
    List<List<String>> sessions = SessionBuilder.sessions(log, c.split.testStart(), c.sessionGapMinutes);
    if (!sessions.isEmpty()) {
      try (BufferedWriter w = Files.newBufferedWriter(out.resolve(String.format("sessions-%05d.txt", part)))) {
        for (List<String> s : sessions) {
          w.write(String.join(" ", s));
          w.newLine();
        }
      }
    }
    return List.of(new long[] {rows, sessions.size()}).iterator();
  }

  /** What every task reads once per JVM: the bundle and the two small tables. */
  static final class Context {
    private static final Map<String, Context> LOADED = new ConcurrentHashMap<>();
    final Bundle bundle;
    final TimeSplit split;
    final int sessionGapMinutes;
    final List<Banner> banners;
    final List<UserProfile> users;
    private final Map<String, String> placementOfBanner = new HashMap<>();
    private final Set<String> userIds = new HashSet<>();

    private Context(Path data, Path bundleDir) {
      bundle = BundleIO.load(bundleDir);
      var s = bundle.manifest().training() == null ? null : bundle.manifest().training().split();
      if (s == null) {
        throw new BadInputException(bundleDir + ": manifest.json: training.split is missing");
      }
      split = new TimeSplit(s.validStartSecond(), s.testStartSecond());
      sessionGapMinutes = bundle.manifest().hyperparameter("item2vec", Item2VecConfig.class).sessionGapMinutes();
      DataProblems problems = new DataProblems(0);
      banners = List.copyOf(EventLogReader.readBanners(data, problems));
      users = List.copyOf(EventLogReader.readUsers(data, problems));
      banners.forEach(b -> placementOfBanner.put(b.id(), b.placement()));
      users.forEach(u -> userIds.add(u.id()));
    }

    static Context of(String data, String bundleDir) {
      return LOADED.computeIfAbsent(data + "\u0000" + bundleDir, k -> new Context(Path.of(data), Path.of(bundleDir)));
    }

    /** The single-machine reader's rules for an impression row that reaches past its own table. */
    void check(Impression imp, long line) {
      String where = IMPRESSIONS_FILE + ": line " + line + ": ";
      if (!userIds.contains(imp.userId())) {
        throw new BadInputException(where + "user_id '" + imp.userId() + "' is not in " + USERS_FILE);
      }
      String placement = placementOfBanner.get(imp.bannerId());
      if (placement == null) {
        throw new BadInputException(where + "banner_id '" + imp.bannerId() + "' is not in " + BANNERS_FILE);
      }
      if (!placement.equals(imp.placement())) {
        throw new BadInputException(where + "placement '" + imp.placement() + "' is not the placement of banner '"
            + imp.bannerId() + "'");
      }
    }
  }
}
