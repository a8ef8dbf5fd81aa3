package dev.bannerranker.trainer.pipeline;

import dev.bannerranker.bundle.BundleIO;
import dev.bannerranker.data.Banner;
import dev.bannerranker.data.Impression;
import dev.bannerranker.features.FeatureSpec;
import dev.bannerranker.features.Vocabularies;
import dev.bannerranker.trainer.dataset.DatasetBuilder;
import dev.bannerranker.trainer.dataset.ModelVocabulary;
import dev.bannerranker.trainer.dataset.TimeSplit;
import dev.bannerranker.trainer.foldin.FoldInTrainer;
import dev.bannerranker.trainer.item2vec.Item2VecTrainer;
import dev.bannerranker.trainer.item2vec.SessionBuilder;
import dev.bannerranker.trainer.item2vec.SessionFile;
import dev.bannerranker.trainer.progress.Progress;
import dev.bannerranker.trainer.shards.RowShards;
import dev.bannerranker.trainer.stream.StreamingLog;
import dev.bannerranker.trainer.stream.StreamingRows;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * {@code train --streaming --rows DIR}: the steps before wide &amp; deep without holding the log. The log is sorted
 * by user on disk ({@link StreamingLog}) and replayed one user at a time, twice: first for item2vec's sessions (to a
 * file), the fold-in factors' histories and the banner statistics, then, with the item vectors trained, for the
 * point-in-time rows, written to the row shards wide &amp; deep trains from.
 */
final class StreamingTraining {
  private StreamingTraining() {}

  static TrainingPipeline.Outcome run(TrainOptions o, Path problemsFile, long t0, PrintStream out, PrintStream err)
      throws IOException {
    Path work = Files.createTempDirectory(Files.createDirectories(o.rows()), "sort-");
    TrainingPipeline.Prepared prepared;
    try (StreamingLog log = TrainingPipeline.failingOnTooManyBadRows(() -> StreamingLog.read(o.data(),
        o.maxBadFraction(), work, StreamingLog.DEFAULT_RUN_SIZE), problemsFile)) {
      ProblemReport.report(log.problems(), problemsFile, o.out().resolve(TrainingPipeline.PROBLEMS_FILE), err);
      out.printf("read %d banners, %d users, %d events, %d impressions from %s (%s format, streamed: sorted by user "
          + "on disk) in %.1f s%n", log.banners().size(), log.users().size(), log.events(), log.impressions(),
          o.data(), o.format().code(), (System.nanoTime() - t0) / 1e9);
      TimeSplit split = log.lastDays(o.validDays(), o.testDays());
      Vocabularies vocab = ModelVocabulary.build(log.banners(), log.eventBrands(), log.eventCategories());

      // First replay: what item2vec, the fold-in factors and the banner statistics read.
      FoldInTrainer.Input foldIn = o.foldInDim() > 0 ? new FoldInTrainer.Input(vocab, split.testStart()) : null;
      Map<String, long[]> stats = new HashMap<>();
      Set<String> bannerIds = new HashSet<>();
      for (Banner b : log.banners()) {
        stats.put(b.id(), new long[2]);
        bannerIds.add(b.id());
      }
      SessionFile sessions;
      try (SessionFile.Writer w = new SessionFile.Writer(work.resolve("sessions.bin"))) {
        log.forEachUser(u -> {
          if (foldIn != null) {
            u.events().forEach(foldIn::add);
          }
          SessionBuilder.ofUser(u.events(), u.impressions(), bannerIds, split.testStart(),
              o.item2vec().sessionGapMinutes(), w::write);
          for (Impression imp : u.impressions()) {
            DatasetBuilder.countTrainImpression(stats, imp, split);
          }
        });
        sessions = w.finish();
      }
      TrainingPipeline.Embeddings emb = TrainingPipeline.embeddings(o, vocab, log.banners(),
          item2vecRunning -> foldIn == null
              ? null
              : FoldInTrainer.train(foldIn, log.users(), vocab, o.foldInDim(), TrainingPipeline.FOLD_IN_ROUNDS,
                  o.item2vec().seed(), item2vecRunning), sessions.sessions(),
          progress -> Item2VecTrainer.train(sessions, o.item2vec(), progress), out);

      // Second replay: the point-in-time rows.
      long rowsStart = System.nanoTime();
      double ctr = DatasetBuilder.ctr(stats);
      FeatureSpec spec = TrainingPipeline.rowSpec(o, vocab, ctr);
      DatasetBuilder.Sweeper sweeper = new DatasetBuilder.Sweeper(log.banners(), log.users(), vocab, emb.vectors(),
          spec, split, stats);
      long written;
      try (Progress pb = Progress.start(o.progress(), "features", log.impressions(), "impressions")) {
        written = StreamingRows.write(log, sweeper, Runtime.getRuntime().availableProcessors(), o.rows(),
            RowShards.DEFAULT_ROWS_PER_FILE, pb::stepTo);
      }
      out.printf("rows: wrote %d rows in %d row shards to %s%n", written, RowShards.files(o.rows()).size(), o.rows());
      prepared = new TrainingPipeline.Prepared(log.banners(), log.problems(), vocab, emb.vectors(), split, stats,
          ctr, spec, null, emb.foldIn(), emb.tokensPerSecond(), emb.i2vSeconds(), rowsStart);
    } finally {
      BundleIO.deleteTree(work); // the sorted log is not needed past the rows
    }
    return TrainingPipeline.finish(o, prepared, problemsFile, t0, out, err);
  }
}
