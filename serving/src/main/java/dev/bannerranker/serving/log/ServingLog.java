package dev.bannerranker.serving.log;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.bannerranker.bundle.Bundle;
import dev.bannerranker.data.BannerCsv;
import dev.bannerranker.data.EventType;
import dev.bannerranker.data.UserProfile;
import dev.bannerranker.serving.config.RequestSettings;
import dev.bannerranker.serving.model.Arm;
import dev.bannerranker.serving.model.ModelGeneration;
import dev.bannerranker.serving.model.ModelListener;
import dev.bannerranker.serving.ranking.EventInput;
import dev.bannerranker.serving.ranking.RankedItem;
import dev.bannerranker.serving.ranking.Reason;
import dev.bannerranker.servinglog.ClickRecord;
import dev.bannerranker.servinglog.ConversionRecord;
import dev.bannerranker.servinglog.DecisionRecord;
import dev.bannerranker.servinglog.ImpressionRecord;
import dev.bannerranker.servinglog.LogRecord;
import dev.bannerranker.servinglog.ProductEventRecord;
import dev.bannerranker.servinglog.ProfileRecord;
import dev.bannerranker.servinglog.ServingLogEncoder;
import dev.bannerranker.servinglog.ServingLogFiles;
import dev.bannerranker.servinglog.StartRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the service appends to the serving log: a decision per Rank, every applied event, the profiles it used and
 * the catalog of every model it served. The callers only queue references to what they already hold; encoding and
 * disk work happen on the writer's thread. {@link #OFF} does nothing and costs one branch.
 */
public final class ServingLog implements ModelListener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ServingLog.class);
  static final List<String> TYPES = List.of(StartRecord.TYPE, DecisionRecord.TYPE, ImpressionRecord.TYPE,
      ClickRecord.TYPE, ConversionRecord.TYPE, ProductEventRecord.TYPE, ProfileRecord.TYPE);
  /** Users whose profile this process has logged; one leaving this cache is logged again at its next use. */
  static final int PROFILES_REMEMBERED = 200_000;

  public static final ServingLog OFF = new ServingLog();

  private final ServingLogWriter writer;
  private final RequestSettings limits;
  private final Clock clock;
  private final String serviceVersion;
  private final Map<String, Counter> dropped = new ConcurrentHashMap<>();
  /** Catalog snapshot (relative path) of each model version served. */
  private final Map<String, String> catalogs = new ConcurrentHashMap<>();
  private final Cache<String, UserProfile> profilesLogged;
  private volatile boolean startWritten;

  private ServingLog() {
    writer = null;
    limits = null;
    clock = null;
    serviceVersion = null;
    profilesLogged = null;
  }

  /**
   * Opens the log in {@code settings.dir()}; the caller registers it as a model listener (or calls
   * {@link #loaded} for models already serving).
   */
  public ServingLog(LogSettings settings, RequestSettings limits, MeterRegistry meters, Clock clock,
      String serviceVersion) throws IOException {
    this.limits = limits;
    this.clock = clock;
    this.serviceVersion = serviceVersion;
    for (String type : TYPES) {
      dropped.put(type, Counter.builder("ranker.log.dropped")
          .description("Serving-log records dropped because the writer's queue was full").tag("type", type)
          .register(meters));
    }
    this.writer = new ServingLogWriter(Path.of(settings.dir()), settings, clock,
        type -> dropped.get(type).increment());
    FunctionCounter.builder("ranker.log.written", writer, ServingLogWriter::written)
        .description("Serving-log records written").register(meters);
    FunctionCounter.builder("ranker.log.write.failures", writer, ServingLogWriter::failures)
        .description("Serving-log records lost to write errors").register(meters);
    this.profilesLogged = Caffeine.newBuilder().maximumSize(PROFILES_REMEMBERED).executor(Runnable::run).build();
  }

  public boolean enabled() {
    return writer != null;
  }

  /** The writer, for tests and metrics; null when off. */
  public ServingLogWriter writer() {
    return writer;
  }

  /**
   * The time to log for a request or event: its own timestamp, or the configured default time, else the wall clock
   * to the millisecond.
   */
  public Instant time(Long givenSeconds, long nowSeconds) {
    if (givenSeconds != null || !limits.defaultTime().isEmpty()) {
      return Instant.ofEpochSecond(nowSeconds);
    }
    return clock.instant();
  }

  /** One Rank's answer; {@code profile} is logged too the first time this process uses it or when it changed. */
  public void decision(Instant time, String requestId, String userId, String placement, String platform, Arm arm,
      ModelGeneration g, String path, String policy, int slotCount, List<RankedItem> items, UserProfile profile) {
    if (writer == null) {
      return;
    }
    profile(time, profile);
    writer.offer(new Decision(catalogs, time, requestId, userId, placement, platform, arm, g, path, policy, slotCount, items));
  }

  /** Reason codes as logged, by {@link Reason} ordinal. */
  private static final String[] REASON_CODES = Arrays.stream(Reason.values())
      .map(r -> r.name().toLowerCase(Locale.ROOT)).toArray(String[]::new);

  /**
   * A decision as the Rank left it: references to its immutable results, encoded on the writer thread straight from
   * them (no per-banner copies on the Rank thread). {@code items} is the list the Rank returned, never changed after.
   */
  private record Decision(Map<String, String> catalogs, Instant time, String requestId, String userId,
      String placement, String platform, Arm arm, ModelGeneration g, String path, String policy, int slotCount,
      List<RankedItem> items) implements ServingLogWriter.Entry {
    @Override
    public String type() {
      return DecisionRecord.TYPE;
    }

    @Override
    public void encode(ServingLogEncoder out) {
      out.decisionStart(time, requestId, userId, placement, platform, arm.label(), g.version(),
          catalogs.get(catalogKey(g)), g.catalogVersion(), path, policy, slotCount);
      for (int i = 0; i < items.size(); i++) {
        RankedItem it = items.get(i);
        out.banner(it.bannerId(), i + 1, it.score(), it.predictedCtr(), REASON_CODES[it.reason().ordinal()],
            it.propensity(), it.predictedCvr());
      }
      out.decisionEnd();
    }
  }

  /**
   * The profile of a user RecordEvents applied events for, when this process has not logged it yet: so the export
   * knows the users who send events without ever getting a Rank. {@code profile} gives the one on file, or null.
   */
  public void profileOfEventUser(Instant time, String userId, Function<String, UserProfile> profile) {
    if (writer == null || profilesLogged.getIfPresent(userId) != null) {
      return;
    }
    profile(time, profile.apply(userId));
  }

  private void profile(Instant time, UserProfile p) {
    if (p == null) {
      return;
    }
    UserProfile logged = profilesLogged.getIfPresent(p.id());
    if (logged == p || p.equals(logged)) {
      return;
    }
    profilesLogged.put(p.id(), p);
    writer.offer(new ProfileRecord(time, p.id(), p.gender().name(), p.ageBand(), p.cityTier()));
  }

  /** An event RecordEvents applied, at its resolved time. */
  public void event(EventInput e, Instant time) {
    if (writer == null) {
      return;
    }
    LogRecord r = switch (e.kind()) {
      case IMPRESSION -> new ImpressionRecord(time, e.userId(), e.bannerId(), emptyToNull(e.requestId()),
          e.slotPosition() > 0 ? e.slotPosition() : null);
      case CLICK -> new ClickRecord(time, e.userId(), e.bannerId(), emptyToNull(e.requestId()));
      case CONVERSION -> new ConversionRecord(time, e.userId(), e.bannerId(), emptyToNull(e.requestId()));
      case PRODUCT -> new ProductEventRecord(time, e.userId(),
          (e.productType() == null ? EventType.VIEW : e.productType()).code(), e.brand(), e.category(),
          e.priceTier() > 0 ? e.priceTier() : null, (double) e.dwellSeconds());
    };
    writer.offer(r);
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  /** Snapshots the model's catalog, and writes the start record once the control arm has a model. */
  @Override
  public void loaded(Arm arm, ModelGeneration generation, ModelGeneration previous) {
    if (writer == null) {
      return;
    }
    String catalog = catalogs.computeIfAbsent(catalogKey(generation), v -> snapshot(generation));
    if (arm == Arm.CONTROL && !startWritten) {
      startWritten = true;
      writer.offer(new StartRecord(clock.instant(), serviceVersion, catalog));
    }
  }

  /** Snapshots the live catalog version the models now serve. */
  @Override
  public void catalogChanged(dev.bannerranker.serving.model.ServingModels models) {
    if (writer == null) {
      return;
    }
    for (Arm arm : Arm.values()) {
      ModelGeneration g = models.generation(arm);
      if (g != null) {
        catalogs.computeIfAbsent(catalogKey(g), v -> snapshot(g));
      }
    }
  }

  /** What a catalog snapshot is kept by: the live catalog's version, else the model's (its bundle's catalog). */
  private static String catalogKey(ModelGeneration g) {
    return g.catalogVersion() > 0 ? "catalog " + g.catalogVersion() : "model " + g.version();
  }

  private String snapshot(ModelGeneration g) {
    if (g.catalogVersion() > 0) {
      return snapshotLive(g);
    }
    Path banners = g.bundleDir().resolve(Bundle.BANNERS);
    try {
      if (!Files.isRegularFile(banners)) {
        LOG.atWarn().addKeyValue("bundle_dir", g.bundleDir().toString())
            .log("the bundle has no {}; its decisions carry no catalog snapshot", Bundle.BANNERS);
        return null;
      }
      return ServingLogFiles.snapshotCatalog(writer.dir(), banners);
    } catch (IOException | RuntimeException e) {
      // The swap has happened; the decisions of this model then name no catalog, which the export reports.
      LOG.atError().setCause(e).addKeyValue("bundle_dir", g.bundleDir().toString())
          .log("cannot copy the catalog into the serving log");
      return null;
    }
  }

  /** The live catalog's banners as a {@code banners.csv}, so the export knows banners no bundle has. */
  private String snapshotLive(ModelGeneration g) {
    Path tmp = null;
    try {
      Files.createDirectories(writer.dir());
      tmp = Files.createTempFile(writer.dir(), ".live-catalog-", ".csv");
      BannerCsv.write(tmp, g.catalogBanners());
      return ServingLogFiles.snapshotCatalog(writer.dir(), tmp);
    } catch (IOException | RuntimeException e) {
      LOG.atError().setCause(e).addKeyValue("catalog_version", g.catalogVersion())
          .log("cannot copy the live catalog into the serving log");
      return null;
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // a leftover temporary file is harmless
        }
      }
    }
  }

  @Override
  public void refused(Arm arm, Path dir, String reason) {}

  /** Writes out what is queued and closes the file. */
  @Override
  public void close() {
    if (writer != null) {
      writer.close();
    }
  }
}
