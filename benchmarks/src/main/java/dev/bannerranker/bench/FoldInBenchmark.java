package dev.bannerranker.bench;

import dev.bannerranker.bundle.Bundle;
import dev.bannerranker.data.BehaviourEvent;
import dev.bannerranker.data.EventLog;
import dev.bannerranker.data.EventLogReader;
import dev.bannerranker.features.ChoiceCounts;
import dev.bannerranker.features.FoldInFactors;
import dev.bannerranker.features.UserHistory;
import dev.bannerranker.trainer.dataset.DatasetBuilder;
import dev.bannerranker.trainer.foldin.FoldInTrainer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
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
 * The fold-in taste per request for a shopper of the benchmark world ({@code shopper}: {@code heaviest}, the user
 * with the most behaviour events, or {@code median}, the one with the median number of them), with fold-in factors of size 8 trained on the benchmark world by {@link FoldInTrainer} (20 rounds, as
 * {@code train --fold-in-dim 8}). {@code foldIn} is what scoring a history adds ({@code FoldInFactors.foldIn}: the
 * evidence from the counts, then 8 Newton steps); {@code solve} the Newton steps alone; {@code counts} what the
 * service adds before it: unpacking the user's name-keyed counts and translating them to the model's indices.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx3g", "-Djava.awt.headless=true"})
@Threads(1)
public class FoldInBenchmark {
  @Param({"heaviest", "median"})
  public String shopper;

  private FoldInFactors factors;
  private UserHistory history;
  private FoldInFactors.Evidence evidence;
  private byte[] packed;

  @Setup(Level.Trial)
  public void setUp() {
    BenchModel m = BenchModel.shared();
    Bundle b = m.bundle();
    EventLog log = EventLogReader.read(m.dir().resolve("data"), 0.01);
    long until = log.events().stream().mapToLong(BehaviourEvent::timestamp).max().orElseThrow() + 1;
    factors = FoldInTrainer.train(log, b.vocab(), until, 8, 20, 42).factors();
    Map<String, List<BehaviourEvent>> byUser = log.events().stream()
        .collect(Collectors.groupingBy(BehaviourEvent::userId, TreeMap::new, Collectors.toList()));
    List<List<BehaviourEvent>> bySize = new ArrayList<>(byUser.values());
    bySize.sort(Comparator.comparingInt(List::size));
    List<BehaviourEvent> events = shopper.equals("median") ? bySize.get(bySize.size() / 2) : m.userLog().events();
    history = new UserHistory(b.spec().maxRecentEvents(), b.spec().maxRecentImpressions(), true);
    ChoiceCounts counts = new ChoiceCounts();
    for (BehaviourEvent e : events) {
      DatasetBuilder.applyEvent(history, e, b.vocab());
      counts.add(b.vocab().brands().indexOf(e.brand()), b.vocab().categories().indexOf(e.category()), e.type(),
          e.timestamp());
    }
    packed = counts.pack();
    evidence = factors.evidence(history);
    int pairs = 0;
    for (int[] brands : evidence.brands()) {
      pairs += brands.length;
    }
    System.out.printf("fold-in: user %s, %d events, %d (category, brand) pairs in %d categories, %d category "
        + "choices, %d packed bytes%n", events.get(0).userId(), events.size(), pairs, evidence.categories().length,
        evidence.chosenCategory().length, packed.length);
  }

  @Benchmark
  public float[] foldIn() {
    return factors.foldIn(history, null);
  }

  @Benchmark
  public float[] solve() {
    return factors.foldIn(evidence, FoldInFactors.genderRow(null));
  }

  @Benchmark
  public ChoiceCounts counts() {
    return ChoiceCounts.unpack(packed, 0, packed.length).translate(i -> i, i -> i);
  }
}
