package dev.bannerranker.trainer.cli;

import dev.bannerranker.features.FeatureEncoder;
import dev.bannerranker.trainer.item2vec.Item2VecConfig;
import dev.bannerranker.trainer.pipeline.DataFormat;
import dev.bannerranker.scoring.NegativeSampling;
import dev.bannerranker.trainer.pipeline.Objective;
import dev.bannerranker.trainer.pipeline.TrainOptions;
import dev.bannerranker.trainer.pipeline.TrainingPipeline;
import dev.bannerranker.trainer.sessions.SessionPipeline;
import dev.bannerranker.trainer.widedeep.WideDeepConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import dev.bannerranker.bundle.ModelsRoot;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Trains item2vec and the wide & deep click model, and writes a versioned, checksummed model bundle.")
final class TrainCommand implements Callable<Integer> {
  @Option(names = "--data", required = true, description = "Input directory.")
  Path data;

  /** Where the bundle goes: a directory, or a new version of a models root. */
  static final class Target {
    @Option(names = "--out", required = true, description = "Bundle directory to write (atomically).")
    Path out;

    @Option(names = "--models-root", required = true, description = "Instead of --out: add the bundle to this models "
        + "root as a new version directory (one above the newest; DIR/1 in an empty root), written aside and renamed "
        + "into place; an existing version is never replaced.")
    Path modelsRoot;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  Target target;

  @Option(names = "--format", defaultValue = "own", description = "own, movielens or sessions (a session log, "
      + "sessions.csv: item vectors only). Default: ${DEFAULT-VALUE}.")
  String format;

  @Option(names = "--force", description = "Replace an existing bundle directory.")
  boolean force;

  @Option(names = "--max-bad-fraction", defaultValue = "0.01", description = "Largest share of malformed rows tolerated per file. Default: ${DEFAULT-VALUE}.")
  double maxBad;

  @Option(names = "--seed", defaultValue = "7", description = "Seed for every random step. Default: ${DEFAULT-VALUE}.")
  long seed;

  // item2vec
  @Option(names = "--dim", defaultValue = "32", description = "item2vec dimension. Default: ${DEFAULT-VALUE}.")
  int dim;
  @Option(names = "--window", defaultValue = "5", description = "item2vec window. Default: ${DEFAULT-VALUE}.")
  int window;
  @Option(names = "--negatives", defaultValue = "5", description = "item2vec negative samples. Default: ${DEFAULT-VALUE}.")
  int negatives;
  @Option(names = "--i2v-epochs", defaultValue = "5", description = "item2vec epochs. Default: ${DEFAULT-VALUE}.")
  int i2vEpochs;
  @Option(names = "--min-count", defaultValue = "5", description = "item2vec minimum token count. Default: ${DEFAULT-VALUE}.")
  int minCount;
  @Option(names = "--subsampling", defaultValue = "1e-3", description = "item2vec frequent-token subsampling. Default: ${DEFAULT-VALUE}.")
  double subsampling;
  @Option(names = "--i2v-learning-rate", defaultValue = "0.025", description = "item2vec learning rate. Default: ${DEFAULT-VALUE}.")
  double i2vLr;
  @Option(names = "--session-gap-minutes", description = "Pause that starts a new session; 0 never cuts. Default: 30, "
      + "and 0 with --format movielens, whose sessions are each user's time-ordered ratings.")
  Integer sessionGap;
  @Option(names = "--i2v-workers", defaultValue = "1", description = "item2vec threads (1 is reproducible). Default: ${DEFAULT-VALUE}.")
  int workers;

  // user vector and wide features
  @Option(names = "--half-life-hours", defaultValue = "168", description = "Half-life of an event in the user vector. Default: ${DEFAULT-VALUE}.")
  double halfLife;
  @Option(names = "--recent-events", defaultValue = "50", description = "Events that form the user vector. Default: ${DEFAULT-VALUE}.")
  int recentEvents;
  @Option(names = "--top-brands", defaultValue = "3", description = "User's top brands crossed with the banner brand. Default: ${DEFAULT-VALUE}.")
  int topBrands;
  @Option(names = "--wide-crosses", split = ",", paramLabel = "NAME",
      description = "Wide crosses besides the top brands x banner brand, comma-separated, from: ${COMPLETION-CANDIDATES}. "
          + "Default: all of them.", completionCandidates = WideCrossNames.class)
  List<String> wideCrosses = FeatureEncoder.WIDE_CROSSES;
  @Option(names = "--wide-buckets-log2", defaultValue = "17", description = "log2 of the hashed wide space. Default: ${DEFAULT-VALUE}.")
  int wideLog2;

  @Option(names = "--taste-brands", defaultValue = "10", description = "User's ranked brands in the taste tower (0: no tower). Default: ${DEFAULT-VALUE}.")
  int tasteBrands;
  @Option(names = "--taste-dim", defaultValue = "8", description = "Taste tower embedding size. Default: ${DEFAULT-VALUE}.")
  int tasteDim;

  @Option(names = "--fold-in-dim", defaultValue = "8", description = "Learned dimensions of the fold-in taste factors (from whole-history browsing choices; 2 fixed price-tier dimensions come on top); 0 for none. Default: ${DEFAULT-VALUE}.")
  int foldInDim;

  // wide & deep
  @Option(names = "--hidden", defaultValue = "64,32", split = ",", description = "Deep hidden layer sizes. Default: ${DEFAULT-VALUE}.")
  List<Integer> hidden;
  @Option(names = "--embedding-dims", split = ",", paramLabel = "FIELD=SIZE",
      description = "Learned embedding sizes of categorical fields, e.g. brand=12,category=8; fields not named keep "
          + "their default (brand 8, category 6, age_band 3, hour 3, the others 2).")
  Map<String, Integer> embeddingDims = Map.of();
  @Option(names = "--batch-size", defaultValue = "2048", description = "Minibatch size. Default: ${DEFAULT-VALUE}.")
  int batch;
  @Option(names = "--epochs", defaultValue = "8", description = "Maximum epochs (early stopping on validation logloss). Default: ${DEFAULT-VALUE}.")
  int epochs;
  @Option(names = "--patience", defaultValue = "0.5",
      description = "Stop at the first validation more than this many epochs after the best one (may be a fraction). Default: ${DEFAULT-VALUE}.")
  double patience;
  @Option(names = "--validations-per-epoch", defaultValue = "4",
      description = "How often per epoch the validation logloss is measured for early stopping. Default: ${DEFAULT-VALUE}.")
  int validationsPerEpoch;
  @Option(names = "--weight-average-decay", defaultValue = "0.99",
      description = "Decay of the moving average of the weights that is validated and kept, in [0, 1); 0 keeps the "
          + "training weights themselves. Default: ${DEFAULT-VALUE}.")
  double weightAverageDecay;
  @Option(names = "--learning-rate", defaultValue = "0.003", description = "Adam learning rate of the deep side. Default: ${DEFAULT-VALUE}.")
  double lr;
  @Option(names = "--wide-learning-rate", defaultValue = "0.05",
      description = "AdaGrad learning rate of the hashed wide weights; 0 for Adam at a tenth of --learning-rate. Default: ${DEFAULT-VALUE}.")
  double wideLr;
  @Option(names = "--l2-wide", defaultValue = "1e-4", description = "L2 on wide weights. Default: ${DEFAULT-VALUE}.")
  double l2;
  @Option(names = "--l2-wide-conversion", defaultValue = "5e-6",
      description = "With --objective click+conversion: L2 on the conversion tower's wide weights, weaker than "
          + "--l2-wide since a banner's few conversions carry less information than its clicks. "
          + "Default: ${DEFAULT-VALUE}.")
  double l2Conversion;

  // split
  @Option(names = "--valid-days", defaultValue = "1", description = "Validation days before the test days (own format). Default: ${DEFAULT-VALUE}.")
  int validDays;
  @Option(names = "--test-days", defaultValue = "1", description = "Last days held out for test (own format). Default: ${DEFAULT-VALUE}.")
  int testDays;
  @Option(names = "--valid-fraction", defaultValue = "0.1", description = "Validation share of impressions by time (movielens), or of sessions by start (sessions). Default: ${DEFAULT-VALUE}.")
  double validFraction;
  @Option(names = "--test-fraction", defaultValue = "0.1", description = "Test share of impressions by time (movielens), or of sessions by start (sessions). Default: ${DEFAULT-VALUE}.")
  double testFraction;

  @Option(names = "--i2v-tune", description = "With --format sessions: choose item2vec's epochs, window, negatives, "
      + "subsampling and next-item scoring (cosine or input.output) by next-item HR@20 on the validation sessions.")
  boolean i2vTune;
  @Option(names = "--i2v-tune-budget", defaultValue = "12", description = "Configurations --i2v-tune tries (the "
      + "given values first, then seeded random points of the grid). Default: ${DEFAULT-VALUE}.")
  int i2vTuneBudget;
  @Option(names = "--negative-rate", defaultValue = "1", paramLabel = "R",
      description = "Share of the training days' non-clicks to train on, every click kept (0 < R <= 1); the bundle records R "
          + "and its predictions are corrected back to the true click rate. Validation and test keep every row. "
          + "Default: ${DEFAULT-VALUE}.")
  double negativeRate;
  @Option(names = "--rows", paramLabel = "DIR", description = "Write the point-in-time rows to DIR as row shards "
      + "(DIR must hold none) and train from them on disk instead of holding every row in memory.")
  Path rows;
  @Option(names = "--streaming", description = "With --rows DIR (own format): never hold the log in memory. The "
      + "events and impressions are sorted by user on disk under DIR and replayed one user at a time, so the heap "
      + "holds the small tables, a few bytes per impression and one sort run, whatever the log's size. The rows, and "
      + "so the model, are those of --rows without it.")
  boolean streaming;

  @Option(names = "--objective", defaultValue = "click", paramLabel = "click|click+conversion",
      description = "What the network learns: click, the click probability; click+conversion, the click probability "
          + "and the probability that a click converts, jointly on every impression (ESMM), for cost-per-conversion "
          + "ordering. click+conversion needs the converted column in impressions.csv. Default: ${DEFAULT-VALUE}.")
  String objective;

  @Option(names = "--sequence-attention", defaultValue = "off", paramLabel = "on|off",
      description = "on: the deep side attends over the user's latest 16 events (brand, category, type, age and dwell "
          + "bucket), queried by the candidate banner's vector (target attention, as in DIN). Needs the rows held in "
          + "memory (not --rows). Default: ${DEFAULT-VALUE}.")
  String sequenceAttention;

  @Option(names = "--no-progress", description = "Show no progress (a bar on a terminal, else a line every 5 s).")
  boolean noProgress;

  @Override
  public Integer call() throws Exception {
    Path out = target.out;
    if (target.modelsRoot != null) {
      if (force) {
        throw new IllegalArgumentException("--force cannot be used with --models-root: a version is never replaced");
      }
      dev.bannerranker.cli.OutputPaths.checkDirectory("--models-root", target.modelsRoot);
      out = ModelsRoot.dir(target.modelsRoot, ModelsRoot.nextVersion(target.modelsRoot));
    }
    // Checked here too, so the message names the option rather than the setting.
    if (validationsPerEpoch < 1) {
      throw new IllegalArgumentException("--validations-per-epoch must be >= 1, got " + validationsPerEpoch);
    }
    if (wideLog2 < 8 || wideLog2 > 24) {
      throw new IllegalArgumentException("--wide-buckets-log2 must be in [8, 24], got " + wideLog2);
    }
    if (tasteBrands < 0 || tasteDim < 0 || (tasteBrands > 0 && tasteDim == 0)) {
      throw new IllegalArgumentException("--taste-brands and --taste-dim must be >= 0, and --taste-dim > 0 with a tower");
    }
    String crossProblem = FeatureEncoder.wideCrossesProblem(wideCrosses);
    if (crossProblem != null) {
      throw new IllegalArgumentException("--wide-crosses: " + crossProblem);
    }
    if (!NegativeSampling.isValidRate(negativeRate)) {
      throw new IllegalArgumentException("--negative-rate must be in (0, 1], got " + negativeRate);
    }
    if (foldInDim < 0) {
      throw new IllegalArgumentException("--fold-in-dim must be >= 0, got " + foldInDim);
    }
    if (recentEvents < 1 || topBrands < 1 || halfLife <= 0) {
      throw new IllegalArgumentException("--recent-events, --top-brands and --half-life-hours must be positive");
    }
    Objective goal = Objective.parse(objective);
    boolean attention = switch (sequenceAttention) {
      case "on" -> true;
      case "off" -> false;
      default -> throw new IllegalArgumentException("--sequence-attention must be on or off");
    };

    if (format.equals(SessionPipeline.FORMAT)) {
      if (goal != Objective.CLICK) {
        throw new IllegalArgumentException("--objective " + goal.code() + " needs the own format, not --format "
            + format);
      }
      Item2VecConfig i2v = new Item2VecConfig(dim, window, negatives, i2vEpochs, minCount, subsampling, i2vLr, 0,
          workers, seed);
      SessionPipeline.trainBundle(new SessionPipeline.TrainSettings(data, out, force, maxBad, i2v, i2vTune,
          i2vTuneBudget, validFraction, testFraction), System.out, System.err);
      return 0;
    }
    if (i2vTune) {
      throw new IllegalArgumentException("--i2v-tune needs --format sessions");
    }
    DataFormat dataFormat = DataFormat.parse(format);
    int gap = sessionGap != null ? sessionGap : dataFormat == DataFormat.MOVIELENS ? 0 : DEFAULT_SESSION_GAP_MINUTES;
    Item2VecConfig i2v = new Item2VecConfig(dim, window, negatives, i2vEpochs, minCount, subsampling, i2vLr, gap,
        workers, seed);
    WideDeepConfig wd;
    try {
      wd = new WideDeepConfig(WideDeepConfig.Mode.WIDE_AND_DEEP, hidden, embeddingDims(), batch,
          epochs, patience, validationsPerEpoch, lr, wideLr, l2, l2Conversion, weightAverageDecay, seed);
    } catch (WideDeepConfig.InvalidSetting e) {
      // The config checks the ranges; the message names the option that set the field.
      String option = OPTION_OF_FIELD.getOrDefault(e.field(), e.field());
      throw new IllegalArgumentException(option + " " + e.rule() + ", got " + e.value(), e);
    }
    TrainOptions o = new TrainOptions(data, dataFormat, out, force, maxBad, i2v, wd, halfLife, recentEvents,
        topBrands, wideLog2, tasteBrands, tasteBrands == 0 ? 0 : tasteDim, validDays, testDays, validFraction, testFraction, !noProgress,
        foldInDim, List.copyOf(wideCrosses), negativeRate, rows, streaming, goal, attention);
    TrainingPipeline.run(o, System.out, System.err);
    return 0;
  }

  static final int DEFAULT_SESSION_GAP_MINUTES = 30;

  /** The defaults with the fields named on the command line replaced. */
  private Map<String, Integer> embeddingDims() {
    Map<String, Integer> dims = new java.util.HashMap<>(WideDeepConfig.defaultEmbeddingDims());
    for (var e : embeddingDims.entrySet()) {
      if (!dims.containsKey(e.getKey())) {
        throw new IllegalArgumentException("--embedding-dims: unknown field '" + e.getKey() + "'; the fields are "
            + new java.util.TreeSet<>(dims.keySet()));
      }
      dims.put(e.getKey(), e.getValue());
    }
    return dims;
  }

  /** The option behind each {@link WideDeepConfig} field that the command sets. */
  static final Map<String, String> OPTION_OF_FIELD = Map.ofEntries(Map.entry("hidden", "--hidden"),
      Map.entry("batchSize", "--batch-size"), Map.entry("maxEpochs", "--epochs"), Map.entry("patience", "--patience"),
      Map.entry("validationsPerEpoch", "--validations-per-epoch"), Map.entry("learningRate", "--learning-rate"),
      Map.entry("wideLearningRate", "--wide-learning-rate"), Map.entry("l2Wide", "--l2-wide"),
      Map.entry("l2WideConversion", "--l2-wide-conversion"), Map.entry("weightAverageDecay", "--weight-average-decay"),
      Map.entry("embeddingDims", "--embedding-dims"));

  /** The cross names, for the help text. */
  static final class WideCrossNames implements Iterable<String> {
    @Override
    public java.util.Iterator<String> iterator() {
      return FeatureEncoder.WIDE_CROSSES.iterator();
    }
  }
}
