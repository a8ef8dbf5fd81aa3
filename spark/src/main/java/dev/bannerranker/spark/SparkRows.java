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
import dev.bannerranker.data.RowProblem;
import dev.bannerranker.data.UserProfile;
import dev.bannerranker.trainer.dataset.DatasetBuilder;
import dev.bannerranker.trainer.dataset.ImpressionDataset;
import dev.bannerranker.trainer.dataset.TimeSplit;
import dev.bannerranker.trainer.item2vec.Item2VecConfig;
import dev.bannerranker.trainer.item2vec.SessionBuilder;
import dev.bannerranker.trainer.pipeline.ProblemReport;
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
import org.apache.spark.storage.StorageLevel;
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

  /**
   * The checked tables are read by several actions. They are kept on the executors' local disk, serialised: a
   * partition kept in memory can be larger than the heap's share for it, and one that is dropped is parsed again from
   * the CSV by every later action. The operating system's page cache keeps small inputs in memory anyway.
   */
  private static final StorageLevel REUSED = StorageLevel.DISK_ONLY();

  /** Input bytes per user partition by default: a task holds its partition's events and impressions while it sweeps. */
  static final long BYTES_PER_PARTITION = 32L << 20;

  /**
   * The default number of user partitions: twice the parallelism, and more for a large input, so that each task's
   * share of {@code events.csv} and {@code impressions.csv} stays near {@link #BYTES_PER_PARTITION} whatever the log's
   * size.
   */
  public static int defaultPartitions(Path data, int parallelism) throws IOException {
    long bytes = 0;
    for (String f : List.of(EVENTS_FILE, IMPRESSIONS_FILE)) {
      Path p = data.resolve(f);
      bytes += Files.isRegularFile(p) ? Files.size(p) : 0; // a missing table is reported by run()
    }
    long bySize = (bytes + BYTES_PER_PARTITION - 1) / BYTES_PER_PARTITION;
    return (int) Math.min(Integer.MAX_VALUE, Math.max(2L * parallelism, bySize));
  }

  /** What a run wrote. */
  public record Result(long rows, long sessions, int partitions, long badRows, double seconds) {}

  /** One line of a table: its 1-based line number in the file (the header is line 1) and its text. */
  record Line(long number, String text) implements Serializable {}

  /** An impression line with its place in the time-sorted log and its true click rate (NaN without a truth file). */
  record ImpressionLine(long position, long number, String text, double trueCtr) implements Serializable {}

  /** A table line after the single-machine reader's row checks: {@code reason} is null for a good row. */
  record Checked(Line line, String id, String reason) implements Serializable {}

  /** A truth line: its impression id, true click rate and line; {@code reason} is null for a good row. */
  record TruthLine(String id, long number, double ctr, String reason) implements Serializable {}

  /** The file where the job lists every malformed row it skipped, in the output directory. */
  public static final String PROBLEMS_FILE = "data_problems.csv";

  /** As below, with the default bad-row limit of train (1% per file). */
  public static Result run(JavaSparkContext sc, Path data, Path bundleDir, Path out, int partitions) throws IOException {
    return run(sc, data, bundleDir, out, partitions, 0.01);
  }

  /**
   * Runs the job. Bad rows follow the single-machine reader's rules (docs/data-format.md): each is skipped and listed
   * with file and line in {@code out/data_problems.csv}; a file whose bad share exceeds {@code maxBadFraction}
   * fails the job, after the list is written.
   */
  public static Result run(JavaSparkContext sc, Path data, Path bundleDir, Path out, int partitions,
      double maxBadFraction) throws IOException {
    long t0 = System.nanoTime();
    RowShards.requireNoShards(out);
    DataProblems problems = new DataProblems(maxBadFraction);
    checkHeader(data.resolve(EVENTS_FILE), EVENTS_HEADER, List.of());
    checkHeader(data.resolve(IMPRESSIONS_FILE), IMPRESSIONS_HEADER, IMPRESSIONS_OPTIONAL);
    Context.of(data.toString(), bundleDir.toString()); // fails fast on the driver on a bad bundle or small table
    String dataDir = data.toString();
    String bundlePath = bundleDir.toString();
    String outDir = out.toString();

    // The rows' own checks, in the tasks; the bad ones come back to the driver (their share is bounded by the limit).
    JavaRDD<Checked> checkedEvents = lines(sc, data.resolve(EVENTS_FILE))
        .map(l -> Context.of(dataDir, bundlePath).checkEvent(l)).persist(REUSED);
    JavaRDD<Checked> checkedImpressions = lines(sc, data.resolve(IMPRESSIONS_FILE))
        .map(l -> Context.of(dataDir, bundlePath).checkImpression(l)).persist(REUSED);
    // A repeated id: the first row in the file is kept, as the single-machine reader keeps it.
    List<Tuple2<Long, String>> repeated = checkedImpressions.filter(c -> c.reason() == null)
        .mapToPair(c -> new Tuple2<>(c.id(), c.line().number()))
        .groupByKey()
        .flatMap(e -> {
          List<Long> ls = new ArrayList<>();
          e._2().forEach(ls::add);
          ls.sort(null);
          List<Tuple2<Long, String>> later = new ArrayList<>();
          for (int i = 1; i < ls.size(); i++) {
            later.add(new Tuple2<>(ls.get(i), e._1()));
          }
          return later.iterator();
        }).collect();
    Set<Long> repeatedLines = new HashSet<>();
    repeated.forEach(r -> repeatedLines.add(r._1()));
    JavaRDD<Checked> goodImpressions = checkedImpressions
        .filter(c -> c.reason() == null && !repeatedLines.contains(c.line().number()));
    Truth ctrTruth = truth(sc, data, TRUTH_FILE, TRUTH_HEADER, "true_ctr", goodImpressions);
    // checked as the single-machine reader checks it; the rows do not carry the conversion truth
    Truth cvrTruth = truth(sc, data, CONVERSION_TRUTH_FILE, CONVERSION_TRUTH_HEADER, "true_cvr", goodImpressions);

    // Every bad row, in file and line order, as the single-machine reader lists them; then the limit per file.
    count(problems, EVENTS_FILE, checkedEvents.count());
    report(problems, EVENTS_FILE, problemsOf(EVENTS_FILE, checkedEvents));
    count(problems, IMPRESSIONS_FILE, checkedImpressions.count());
    List<RowProblem> impressionProblems = problemsOf(IMPRESSIONS_FILE, checkedImpressions);
    repeated.forEach(r -> impressionProblems.add(new RowProblem(IMPRESSIONS_FILE, r._1(),
        EventLogReader.repeated("impression_id", r._2()))));
    report(problems, IMPRESSIONS_FILE, impressionProblems);
    reportTruth(problems, ctrTruth);
    reportTruth(problems, cvrTruth);
    Path problemsFile = out.resolve(PROBLEMS_FILE);
    if (problems.badRows() > 0) {
      ProblemReport.write(problems.problems(), problemsFile);
    }
    try {
      for (String f : List.of(EVENTS_FILE, IMPRESSIONS_FILE, TRUTH_FILE, CONVERSION_TRUTH_FILE)) {
        problems.checkLimit(f);
      }
    } catch (DataProblems.TooManyBadRows e) {
      throw new BadInputException(e.getMessage() + "\nevery malformed row found is listed in " + problemsFile, e);
    }

    JavaPairRDD<String, Line> events = checkedEvents.filter(c -> c.reason() == null)
        .mapToPair(c -> new Tuple2<>(c.id(), c.line()));
    JavaPairRDD<String, Double> truth = ctrTruth.judged().filter(j -> j._2().isEmpty())
        .mapToPair(j -> new Tuple2<>(j._1().id(), j._1().ctr()));
    // The single-machine reader sorts the impressions by time, ties in file order: a row's position is its rank there.
    JavaPairRDD<String, ImpressionLine> impressions = goodImpressions.map(Checked::line)
        .mapToPair(l -> new Tuple2<>(new Tuple2<>(Context.of(dataDir, bundlePath).impression(l).timestamp(), l.number()), l))
        .sortByKey(new TimeThenLine())
        .values()
        .zipWithIndex()
        .mapToPair(p -> new Tuple2<>(Context.of(dataDir, bundlePath).impression(p._1()).impressionId(), p))
        .leftOuterJoin(truth)
        .mapToPair(e -> {
          Line l = e._2()._1()._1();
          Optional<Double> ctr = e._2()._2();
          return new Tuple2<>(Context.of(dataDir, bundlePath).impression(l).userId(),
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
    return new Result(rows, sessions, partitions, problems.badRows(), (System.nanoTime() - t0) / 1e9);
  }

  /** The bad rows of a checked table, collected to the driver. */
  private static List<RowProblem> problemsOf(String file, JavaRDD<Checked> checked) {
    List<RowProblem> out = new ArrayList<>();
    checked.filter(c -> c.reason() != null).collect()
        .forEach(c -> out.add(new RowProblem(file, c.line().number(), c.reason())));
    return out;
  }

  private static void count(DataProblems problems, String file, long rows) {
    for (long i = 0; i < rows; i++) {
      problems.countRow(file);
    }
  }

  private static void report(DataProblems problems, String file, List<RowProblem> found) {
    List<RowProblem> sorted = new ArrayList<>(found);
    sorted.sort(Comparator.comparingLong(RowProblem::line));
    sorted.forEach(p -> problems.report(file, p.line(), p.reason()));
  }

  /** The reason of a bad line without the file and line that {@link CsvTable#parseLine} puts before it. */
  static String reason(BadInputException e, String file, long line) {
    String prefix = file + ": line " + line + ": ";
    String m = e.getMessage();
    return m.startsWith(prefix) ? m.substring(prefix.length()) : m;
  }

  /** A truth file's lines, each checked, and each good one judged against the good impressions ("": it joins). */
  private record Truth(String file, boolean present, JavaRDD<TruthLine> lines,
      JavaRDD<Tuple2<TruthLine, String>> judged) {}

  private static Truth truth(JavaSparkContext sc, Path data, String file, List<String> header, String column,
      JavaRDD<Checked> goodImpressions) {
    boolean present = Files.exists(data.resolve(file));
    JavaRDD<TruthLine> lines = present
        ? lines(sc, data.resolve(file)).map(l -> checkTruth(l, file, header, column)).persist(REUSED)
        : sc.emptyRDD();
    // A truth row must name a good impression, once: the first row of an id joins, a later one is bad.
    JavaRDD<Tuple2<TruthLine, String>> judged = lines.filter(t -> t.reason() == null)
        .mapToPair(t -> new Tuple2<>(t.id(), t))
        .cogroup(goodImpressions.mapToPair(c -> new Tuple2<>(c.id(), Boolean.TRUE)))
        .flatMap(e -> {
          List<TruthLine> ts = new ArrayList<>();
          e._2()._1().forEach(ts::add);
          ts.sort(Comparator.comparingLong(TruthLine::number));
          boolean known = e._2()._2().iterator().hasNext();
          List<Tuple2<TruthLine, String>> out = new ArrayList<>();
          for (int i = 0; i < ts.size(); i++) {
            String reason = !known ? EventLogReader.truthWithoutImpression(e._1())
                : i > 0 ? EventLogReader.repeated("impression_id", e._1()) : null;
            out.add(new Tuple2<>(ts.get(i), reason == null ? "" : reason));
          }
          return out.iterator();
        }).persist(REUSED);
    return new Truth(file, present, lines, judged);
  }

  private static void reportTruth(DataProblems problems, Truth t) {
    if (!t.present()) {
      return;
    }
    count(problems, t.file(), t.lines().count());
    List<RowProblem> found = new ArrayList<>();
    t.lines().filter(l -> l.reason() != null).collect()
        .forEach(l -> found.add(new RowProblem(t.file(), l.number(), l.reason())));
    t.judged().filter(j -> !j._2().isEmpty()).collect()
        .forEach(j -> found.add(new RowProblem(t.file(), j._1().number(), j._2())));
    report(problems, t.file(), found);
  }

  private static TruthLine checkTruth(Line l, String file, List<String> header, String column) {
    try {
      return CsvTable.parseLine(file, header, l.text(), l.number(),
          r -> new TruthLine(r.text("impression_id"), l.number(), r.decimal(column, 0, 1), null));
    } catch (BadInputException e) {
      return new TruthLine("", l.number(), Double.NaN, reason(e, file, l.number()));
    }
  }


  /** The data lines of a table with their line numbers. */
  private static JavaRDD<Line> lines(JavaSparkContext sc, Path file) {
    return sc.textFile(file.toUri().toString()).zipWithIndex()
        .filter(p -> p._2() > 0 && !p._1().isEmpty())
        .map(p -> new Line(p._2() + 1, p._1()));
  }

  /** The file's header, which must be {@code header} followed by some of {@code optional} in their order. */
  private static List<String> checkHeader(Path file, List<String> header, List<List<String>> optional) {
    if (!Files.exists(file)) {
      throw new BadInputException(file + ": file not found (expected one of the four input tables, see docs/data-format.md)");
    }
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String first = r.readLine();
      String line = first == null ? "" : first.replace("\uFEFF", "");
      List<String> actual = List.of(line.split(",", -1));
      if (!CsvTable.headerFits(actual, header, optional)) {
        throw new BadInputException(file + ": line 1: header must be\n  " + String.join(",", header)
            + CsvTable.optionalText(optional));
      }
      return actual;
    } catch (IOException e) {
      throw new BadInputException(file + ": cannot read: " + e.getMessage(), e);
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
      Impression imp = c.impression(l.text(), l.number());
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
    /** The impressions file's header: the required columns and the optional ones it has. */
    private final List<String> impressionsHeader;

    private Context(Path data, Path bundleDir) {
      impressionsHeader = checkHeader(data.resolve(IMPRESSIONS_FILE), IMPRESSIONS_HEADER, IMPRESSIONS_OPTIONAL);
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

    /** One impressions line parsed by the single-machine reader's rules. */
    Impression impression(Line l) {
      return impression(l.text(), l.number());
    }

    Impression impression(String text, long number) {
      return CsvTable.parseLine(IMPRESSIONS_FILE, impressionsHeader, text, number, EventLogReader::parseImpression);
    }

    /** An events line checked as the single-machine reader checks it; the id is the user's. */
    Checked checkEvent(Line l) {
      try {
        BehaviourEvent e = CsvTable.parseLine(EVENTS_FILE, EVENTS_HEADER, l.text(), l.number(),
            EventLogReader::parseEvent);
        EventLogReader.checkUser(userIds, e.userId());
        return new Checked(l, e.userId(), null);
      } catch (BadInputException e) {
        return new Checked(l, "", reason(e, EVENTS_FILE, l.number()));
      } catch (IllegalArgumentException e) {
        return new Checked(l, "", e.getMessage());
      }
    }

    /** An impressions line checked as the single-machine reader checks it, but for a repeated id; the id is its own. */
    Checked checkImpression(Line l) {
      try {
        Impression imp = impression(l);
        EventLogReader.checkImpression(imp, userIds, placementOfBanner);
        return new Checked(l, imp.impressionId(), null);
      } catch (BadInputException e) {
        return new Checked(l, "", reason(e, IMPRESSIONS_FILE, l.number()));
      } catch (IllegalArgumentException e) {
        return new Checked(l, "", e.getMessage());
      }
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
