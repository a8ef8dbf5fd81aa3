package dev.bannerranker.trainer.dataset;

import dev.bannerranker.data.Banner;
import dev.bannerranker.data.BehaviourEvent;
import dev.bannerranker.data.EventLog;
import dev.bannerranker.data.EventType;
import dev.bannerranker.data.Impression;
import dev.bannerranker.data.UserProfile;
import dev.bannerranker.features.BannerFeatures;
import dev.bannerranker.features.FeatureEncoder;
import dev.bannerranker.features.FeatureSpec;
import dev.bannerranker.features.HistoryUpdates;
import dev.bannerranker.features.ItemVectors;
import dev.bannerranker.features.ScoringContext;
import dev.bannerranker.features.UserFeatures;
import dev.bannerranker.features.UserHistory;
import dev.bannerranker.features.Vocabularies;
import dev.bannerranker.trainer.shards.RowLayout;
import dev.bannerranker.trainer.shards.RowShards;
import dev.bannerranker.trainer.shards.ShardRow;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.function.IntToLongFunction;
import java.util.function.Predicate;
import java.util.function.LongConsumer;
import java.util.stream.IntStream;

/**
 * Replays the log in time order through the runtime's {@link UserHistory} and {@link FeatureEncoder}, the
 * same classes the service uses, and records every impression's features as they were just before it.
 * Impressions and clicks change a user's history only after every impression of the same second has been
 * featurised, so a click never leaks into its own page view.
 */
public final class DatasetBuilder {
  private DatasetBuilder() {}

  /** Impressions and clicks per banner in the training part: the bundle's banner statistics. */
  public static Map<String, long[]> trainStats(EventLog log, TimeSplit split) {
    Map<String, long[]> stats = new HashMap<>();
    for (Banner b : log.banners()) {
      stats.put(b.id(), new long[2]);
    }
    for (Impression imp : log.impressions()) {
      countTrainImpression(stats, imp, split);
    }
    return stats;
  }

  /** Adds an impression to its banner's statistics when it lies in the training part. */
  public static void countTrainImpression(Map<String, long[]> stats, Impression imp, TimeSplit split) {
    if (split.partOf(imp.timestamp()) == TimeSplit.TRAIN) {
      long[] s = stats.get(imp.bannerId());
      s[0]++;
      if (imp.clicked()) {
        s[1]++;
      }
    }
  }

  public static double ctr(Map<String, long[]> stats) {
    long imps = 0;
    long clicks = 0;
    for (long[] s : stats.values()) {
      imps += s[0];
      clicks += s[1];
    }
    return imps == 0 ? 0 : (double) clicks / imps;
  }

  /** Every catalog banner resolved against a model, by vocabulary index (index 0 and gaps stay null). */
  public static BannerFeatures[] bannersByIndex(List<Banner> catalog, Vocabularies vocab, ItemVectors vectors,
      Map<String, long[]> stats) {
    BannerFeatures[] byIndex = new BannerFeatures[vocab.banners().cardinality()];
    for (Banner b : catalog) {
      long[] s = stats.getOrDefault(b.id(), new long[2]);
      BannerFeatures f = BannerFeatures.resolve(b, vocab, vectors, s[0], s[1]);
      byIndex[f.index()] = f;
    }
    return byIndex;
  }

  /** The one rule for what an impression and its click do to a user's history, offline. */
  public static void applyImpression(UserHistory h, BannerFeatures b, long time, boolean clicked) {
    HistoryUpdates.impression(h, b.index(), time);
    if (clicked) {
      HistoryUpdates.click(h, b.brandIdx(), b.categoryIdx(), b.banner().priceTier(), time);
    }
  }

  /** A product event applied to a user's history, with the model's vocabularies. */
  public static void applyEvent(UserHistory h, BehaviourEvent e, Vocabularies vocab) {
    HistoryUpdates.productEvent(h, vocab.brands().indexOf(e.brand()), vocab.categories().indexOf(e.category()),
        e.type(), e.priceTier(), e.dwellSeconds(), e.timestamp());
  }

  private record Pending(long time, UserHistory history, BannerFeatures banner, boolean clicked) {}

  /**
   * Builds the rows. {@code spec} must already hold the global CTR; its standardisers are not used here. The users are
   * split into one shard per core, each swept in time order on its own thread: a row depends only on its own user's
   * history, so the rows are exactly those of a single sweep.
   */
  public static ImpressionDataset build(EventLog log, Vocabularies vocab, ItemVectors vectors, FeatureSpec spec,
      TimeSplit split, Map<String, long[]> stats, LongConsumer progress) {
    return build(log, vocab, vectors, spec, split, stats, progress, Runtime.getRuntime().availableProcessors());
  }

  /** As above with an explicit number of user shards, each swept on its own thread (1: a single sweep). */
  public static ImpressionDataset build(EventLog log, Vocabularies vocab, ItemVectors vectors, FeatureSpec spec,
      TimeSplit split, Map<String, long[]> stats, LongConsumer progress, int shards) {
    RowLayout layout = RowLayout.of(spec);
    ImpressionDataset ds = layout.newDataset(log.impressions().size());
    // Each shard writes only its own users' rows, at their own positions.
    sweepAll(log, vocab, vectors, spec, split, stats, progress, shards, shard -> row -> row.copyTo(ds, (int) row.position));
    if (!log.trueCvr().isEmpty()) {
      List<Impression> imps = log.impressions();
      for (int i = 0; i < imps.size(); i++) {
        Double q = log.trueCvr().get(imps.get(i).impressionId());
        ds.trueCvr[i] = q == null ? Float.NaN : q.floatValue();
      }
    }
    return ds;
  }

  /**
   * The same rows written to {@code dir} as row shards instead of held in memory. Each user shard's thread writes its
   * own files, and spreads its rows over them by a hash of their position, so each file holds a random sample of
   * the log and reading a few files in a random order is close to a full shuffle. Returns the rows written.
   */
  public static long writeShards(EventLog log, Vocabularies vocab, ItemVectors vectors, FeatureSpec spec,
      TimeSplit split, Map<String, long[]> stats, LongConsumer progress, int shards, Path dir, int rowsPerFile)
      throws IOException {
    RowShards.requireNoShards(dir);
    RowLayout layout = RowLayout.of(spec);
    int n = Math.max(1, shards);
    int buckets = (int) Math.max(1, (long) log.impressions().size() / ((long) n * rowsPerFile));
    RowShards.DirectoryWriter[][] writers = new RowShards.DirectoryWriter[n][buckets];
    try {
      for (int i = 0; i < n; i++) {
        for (int b = 0; b < buckets; b++) {
          writers[i][b] = RowShards.DirectoryWriter.openUnchecked(dir, String.format("rows-%02d-%04d-", i, b), layout,
              rowsPerFile);
        }
      }
      sweepAll(log, vocab, vectors, spec, split, stats, progress, n,
          shard -> row -> writers[shard][bucketOf(row.position, buckets)].write(row));
    } catch (UncheckedIOException e) {
      throw e.getCause();
    } finally {
      for (RowShards.DirectoryWriter[] ws : writers) {
        for (RowShards.DirectoryWriter w : ws) {
          if (w != null) {
            w.close();
          }
        }
      }
    }
    long rows = 0;
    for (RowShards.DirectoryWriter[] ws : writers) {
      for (RowShards.DirectoryWriter w : ws) {
        rows += w.rows();
      }
    }
    return rows;
  }

  /** A fixed pseudo-random file for a row (SplitMix64's finaliser), the same on every run. */
  private static int bucketOf(long position, int buckets) {
    long z = position + 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return (int) Math.floorMod(z ^ (z >>> 31), (long) buckets);
  }

  /** Where the sweep puts a finished row. The row object is reused for the next one. */
  @FunctionalInterface
  public interface RowSink {
    void accept(ShardRow row) throws IOException;
  }

  private static void sweepAll(EventLog log, Vocabularies vocab, ItemVectors vectors, FeatureSpec spec,
      TimeSplit split, Map<String, long[]> stats, LongConsumer progress, int shards, IntFunction<RowSink> sinks) {
    Sweeper sweeper = new Sweeper(log.banners(), log.users(), vocab, vectors, spec, split, stats);
    int n = Math.max(1, shards);
    Map<String, Double> truth = log.trueCtr();
    List<Impression> imps = log.impressions();
    // Shard 0 reports progress (its rows are spread over the whole log).
    IntStream.range(0, n).parallel().forEach(shard -> sweeper.sweep(log.events(), imps,
        n == 1 ? null : user -> shardOf(user, n) == shard, i -> i, i -> {
          Double t = truth.get(imps.get(i).impressionId());
          return t == null ? Float.NaN : t.floatValue();
        }, new ShardRow(sweeper.layout()), sinks.apply(shard), shard == 0 ? progress : null));
    if (progress != null) {
      progress.accept(log.impressions().size());
    }
  }

  private static int shardOf(String userId, int shards) {
    return Math.floorMod(userId.hashCode(), shards);
  }

  /** The user shard of a row in {@link #writeShards}: the streaming sweep writes the same files. */
  public static int userShardOf(String userId, int shards) {
    return shardOf(userId, shards);
  }

  /** The file bucket of a row in {@link #writeShards}. */
  public static int bucketOfRow(long position, int buckets) {
    return bucketOf(position, buckets);
  }

  /** How many file buckets each user shard of {@link #writeShards} spreads its rows over. */
  public static int buckets(long impressions, int shards, int rowsPerFile) {
    return (int) Math.max(1, impressions / ((long) Math.max(1, shards) * rowsPerFile));
  }

  /** A truth value of a row, NaN when there is none. */
  @FunctionalInterface
  public interface TruthOf {
    float of(int row);
  }

  /** What every sweep resolves once: the encoder, the banners, the users' profiles and numbers. */
  public static final class Sweeper {
    private final Vocabularies vocab;
    private final ItemVectors vectors;
    private final FeatureSpec spec;
    private final FeatureEncoder enc;
    private final TimeSplit split;
    private final RowLayout layout;
    private final Map<String, BannerFeatures> banners = new HashMap<>();
    private final Map<String, UserProfile> profiles = new HashMap<>();
    private final Map<String, Integer> userNumbers = new HashMap<>();

    public Sweeper(List<Banner> catalog, List<UserProfile> users, Vocabularies vocab, ItemVectors vectors,
        FeatureSpec spec, TimeSplit split, Map<String, long[]> stats) {
      this.vocab = vocab;
      this.vectors = vectors;
      this.spec = spec;
      this.split = split;
      enc = new FeatureEncoder(spec);
      layout = RowLayout.of(spec);
      for (BannerFeatures b : bannersByIndex(catalog, vocab, vectors, stats)) {
        if (b != null) {
          banners.put(b.banner().id(), b);
        }
      }
      for (UserProfile p : users) {
        profiles.put(p.id(), p);
        userNumbers.put(p.id(), userNumbers.size());
      }
    }

    public RowLayout layout() {
      return layout;
    }

    /**
     * Sweeps events and impressions, each in log order, keeping only the users {@code mine} accepts (null: all).
     * Impression {@code i} of the list becomes the row at {@code position.applyAsLong(i)}.
     */
    public void sweep(List<BehaviourEvent> events, List<Impression> imps, Predicate<String> mine,
        IntToLongFunction position, TruthOf truth, ShardRow r, RowSink sink, LongConsumer progress) {
      Map<String, UserHistory> histories = new HashMap<>();
      ArrayDeque<Pending> pending = new ArrayDeque<>();
      int ev = 0;
      for (int row = 0; row < imps.size(); row++) {
        Impression imp = imps.get(row);
        if (mine != null && !mine.test(imp.userId())) {
          continue;
        }
        long t = imp.timestamp();
        // Everything before t, in time order; at equal times product events go first, as the service sees them.
        while (true) {
          while (mine != null && ev < events.size() && !mine.test(events.get(ev).userId())) {
            ev++;
          }
          boolean eventDue = ev < events.size() && events.get(ev).timestamp() < t;
          boolean pendingDue = !pending.isEmpty() && pending.peekFirst().time() < t;
          if (eventDue && (!pendingDue || events.get(ev).timestamp() <= pending.peekFirst().time())) {
            BehaviourEvent e = events.get(ev++);
            applyEvent(history(histories, e.userId(), spec), e, vocab);
          } else if (pendingDue) {
            Pending p = pending.pollFirst();
            applyImpression(p.history(), p.banner(), p.time(), p.clicked());
          } else {
            break;
          }
        }
        UserHistory h = history(histories, imp.userId(), spec);
        UserProfile profile = profiles.getOrDefault(imp.userId(), UserProfile.unknown(imp.userId()));
        UserFeatures u = UserFeatures.compute(profile, h, t, vectors, spec);
        BannerFeatures b = banners.get(imp.bannerId());
        ScoringContext ctx = new ScoringContext(t, imp.platform(), imp.slotPosition());
        int p = split.partOf(t);

        r.position = position.applyAsLong(row);
        System.arraycopy(u.vector, 0, r.userVector, 0, r.userVector.length);
        enc.rawUserScalars(u, r.userScalars);
        enc.userCategoricals(u, ctx, r.userCats, 0);
        r.bannerIdx = b.index();
        if (p == TimeSplit.TRAIN) {
          // Leave this row's own label out of its banner's CTR, or the feature would leak the label.
          enc.rawBannerScalars(b, b.clicks() - (imp.clicked() ? 1 : 0), b.impressions() - 1, r.bannerScalars);
        } else {
          enc.rawBannerScalars(b, r.bannerScalars);
        }
        enc.rawCrossScalars(u, b, ctx, r.crossScalars);
        System.arraycopy(u.tasteBrands, 0, r.tasteBrands, 0, r.tasteBrands.length);
        enc.wideIndices(u, b, ctx, r.wide, 0);
        if (u.sequenceCodes != null) {
          System.arraycopy(u.sequenceBrands, 0, r.sequenceBrands, 0, r.sequenceBrands.length);
          System.arraycopy(u.sequenceCategories, 0, r.sequenceCategories, 0, r.sequenceCategories.length);
          System.arraycopy(u.sequenceCodes, 0, r.sequenceCodes, 0, r.sequenceCodes.length);
        }
        r.clicked = imp.clicked();
        r.converted = imp.converted();
        r.part = (byte) p;
        r.time = t;
        r.userIdx = userNumbers.getOrDefault(imp.userId(), -1);
        r.slot = imp.slotPosition();
        r.trueCtr = truth.of(row);
        try {
          sink.accept(r);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }

        pending.addLast(new Pending(t, h, b, imp.clicked()));
        if (progress != null && (row & 0xFFF) == 0) {
          progress.accept(row);
        }
      }
    }
  }

  private static UserHistory history(Map<String, UserHistory> histories, String user, FeatureSpec spec) {
    return histories.computeIfAbsent(user, k -> UserHistory.forSpec(spec));
  }

}
