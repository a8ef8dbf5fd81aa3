package dev.bannerranker.trainer.pipeline;

import static org.junit.jupiter.api.Assertions.*;

import dev.bannerranker.bundle.Bundle;
import dev.bannerranker.data.BehaviourEvent;
import dev.bannerranker.data.EventLog;
import dev.bannerranker.data.EventLogReader;
import dev.bannerranker.data.Impression;
import dev.bannerranker.data.UserProfile;
import dev.bannerranker.features.BannerFeatures;
import dev.bannerranker.features.HistoryUpdates;
import dev.bannerranker.features.ScoringContext;
import dev.bannerranker.features.UserFeatures;
import dev.bannerranker.features.UserHistory;
import dev.bannerranker.scoring.ScoringModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Fails if training and serving compute a feature differently: each sampled impression is scored once
 * from the training rows and once the way the service does it (replaying the user's events through
 * HistoryUpdates, then UserFeatures and the split scorer).
 */
class TrainingServingSkewTest {

  @Test
  void trainingRowsAndTheServingPathGiveTheSameProbability() {
    assertNoSkew(TinyWorld.TRAINED);
  }

  /** The sequence attention's inputs too: the same latest events, and the split scorer's attention equal to DL4J's. */
  @Test
  void withSequenceAttention() {
    assertNoSkew(TinyWorld.withSequenceAttention());
  }

  private static void assertNoSkew(TrainingPipeline.Outcome t) {
    Bundle bundle = t.bundle();
    var attention = bundle.spec().sequenceAttention();
    int withEvents = 0;
    ScoringModel model = ScoringModel.of(bundle);
    EventLog log = EventLogReader.read(TinyWorld.DATA, 0.01);
    List<Impression> imps = log.impressions();
    int checked = 0;
    for (int row = 0; row < imps.size(); row += imps.size() / 150) {
      Impression imp = imps.get(row);
      UserHistory h = replay(log, bundle, model, imp.userId(), imp.timestamp());
      UserProfile profile = log.users().stream().filter(u -> u.id().equals(imp.userId())).findFirst().orElseThrow();
      UserFeatures u = model.userFeatures(profile, h, imp.timestamp());
      BannerFeatures b = model.banner(imp.bannerId());
      float[] served = new float[1];
      model.predict(u, new ScoringContext(imp.timestamp(), imp.platform(), imp.slotPosition()), new BannerFeatures[] {b}, 1, served);
      float trained = QuickMetrics.predict(model, t.rows(), new int[] {row})[0];
      if (attention != null) {
        int l = attention.length();
        var ds = t.dataset();
        assertArrayEquals(Arrays.copyOfRange(ds.sequenceCodes, row * l, (row + 1) * l), u.sequenceCodes,
            "event codes of impression " + imp.impressionId());
        assertArrayEquals(Arrays.copyOfRange(ds.sequenceBrands, row * l, (row + 1) * l), u.sequenceBrands);
        assertArrayEquals(Arrays.copyOfRange(ds.sequenceCategories, row * l, (row + 1) * l), u.sequenceCategories);
        withEvents += u.sequenceCount > 1 ? 1 : 0;
      }
      if (t.dataset().part[row] == dev.bannerranker.trainer.dataset.TimeSplit.TRAIN) {
        continue; // training rows use leave-one-out banner CTR on purpose; the service never does
      }
      assertEquals(trained, served[0], 1e-5, "impression " + imp.impressionId());
      checked++;
    }
    assertTrue(checked >= 10, "only " + checked + " held-out impressions were compared");
    if (attention != null) {
      assertTrue(withEvents >= 10, "only " + withEvents + " compared impressions had several events");
    }
  }

  @Test
  void evaluationHistoryReplayMatchesTheTrainingSweep() {
    var t = TinyWorld.TRAINED;
    Bundle bundle = t.bundle();
    EventLog log = EventLogReader.read(TinyWorld.DATA, 0.01);
    var byIndex = dev.bannerranker.trainer.dataset.DatasetBuilder.bannersByIndex(bundle.catalog(), bundle.vocab(),
        bundle.vectors(), bundle.bannerStats());
    int dim = t.dataset().dim;
    int checked = 0;
    for (int row : new int[] {t.testRows()[0], t.testRows()[t.testRows().length / 2], t.testRows()[t.testRows().length - 1]}) {
      Impression imp = log.impressions().get(row);
      var histories = EvaluationPipeline.historiesBefore(log, bundle, byIndex, imp.timestamp());
      UserProfile profile = log.users().stream().filter(u -> u.id().equals(imp.userId())).findFirst().orElseThrow();
      float[] replayed = UserFeatures.compute(profile, histories.get(imp.userId()), imp.timestamp(), bundle.vectors(),
          bundle.spec()).vector;
      float[] swept = java.util.Arrays.copyOfRange(t.dataset().userVector, row * dim, (row + 1) * dim);
      assertArrayEquals(swept, replayed, 1e-6f, "impression " + imp.impressionId());
      checked++;
    }
    assertEquals(3, checked);
  }

  /** The service's view of one user: every event before {@code time}, in time order. */
  private static UserHistory replay(EventLog log, Bundle bundle, ScoringModel model, String user, long time) {
    record Step(long time, int kind, Object what) {}
    List<Step> steps = new ArrayList<>();
    for (BehaviourEvent e : log.events()) {
      if (e.userId().equals(user) && e.timestamp() < time) {
        steps.add(new Step(e.timestamp(), 0, e));
      }
    }
    for (Impression i : log.impressions()) {
      if (i.userId().equals(user) && i.timestamp() < time) {
        steps.add(new Step(i.timestamp(), 1, i));
      }
    }
    steps.sort(Comparator.comparingLong(Step::time).thenComparingInt(Step::kind));
    UserHistory h = UserHistory.forSpec(bundle.spec());
    for (Step s : steps) {
      if (s.what() instanceof BehaviourEvent e) {
        HistoryUpdates.productEvent(h, bundle.vocab().brands().indexOf(e.brand()),
            bundle.vocab().categories().indexOf(e.category()), e.type(), e.priceTier(), e.dwellSeconds(), e.timestamp());
      } else {
        Impression i = (Impression) s.what();
        BannerFeatures b = model.banner(i.bannerId());
        HistoryUpdates.impression(h, b.index(), i.timestamp());
        if (i.clicked()) {
          HistoryUpdates.click(h, b.brandIdx(), b.categoryIdx(), b.banner().priceTier(), i.timestamp());
        }
      }
    }
    return h;
  }
}
