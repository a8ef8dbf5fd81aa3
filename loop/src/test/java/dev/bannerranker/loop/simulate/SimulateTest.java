package dev.bannerranker.loop.simulate;

import static org.junit.jupiter.api.Assertions.*;

import dev.bannerranker.cli.ExitCodes;
import dev.bannerranker.data.Banner;
import dev.bannerranker.data.DataProblems;
import dev.bannerranker.data.EventLogReader;
import dev.bannerranker.data.UserProfile;
import dev.bannerranker.loop.LoopCli;
import dev.bannerranker.trainer.generate.GenerationSummary;
import dev.bannerranker.trainer.generate.LiveShoppers;
import dev.bannerranker.trainer.generate.Scale;
import dev.bannerranker.trainer.generate.WorldGenerator;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class SimulateTest {
  @TempDir static Path tmp;
  static Path world;
  static List<Banner> banners;
  static Map<String, UserProfile> users = new HashMap<>();

  @BeforeAll
  static void generate() throws IOException {
    world = tmp.resolve("world");
    new WorldGenerator(Scale.TINY, 5).generate(world, null);
    banners = EventLogReader.readBanners(world, new DataProblems(0));
    EventLogReader.readUsers(world, new DataProblems(0)).forEach(u -> users.put(u.id(), u));
  }

  /** A plain service: the eligible banners of the placement by bid, as a ranking service without a model would. */
  static final class ByBid implements LiveShoppers.Service, LiveShoppers.Output {
    final List<String> log = new ArrayList<>();
    final List<LiveShoppers.Shown> shown = new ArrayList<>();
    int requests;
    int pendingEvents;

    @Override
    public LiveShoppers.Answer rank(LiveShoppers.Request r) {
      assertEquals(0, pendingEvents, "everything before the request was flushed first");
      UserProfile u = users.get(r.userId());
      List<String> ids = banners.stream()
          .filter(b -> b.placement().equals(r.placement()) && b.targets(u) && b.liveAt(r.epochSecond()))
          .sorted(Comparator.comparingDouble(Banner::bid).reversed().thenComparing(Banner::id))
          .limit(r.slots()).map(Banner::id).toList();
      requests++;
      log.add("rank " + r);
      return new LiveShoppers.Answer(ids, "rq-" + requests, "v-test");
    }

    @Override
    public void productEvent(LiveShoppers.Browse event) {
      pendingEvents++;
      log.add("event " + event);
    }

    @Override
    public void impression(LiveShoppers.Shown s) {
      pendingEvents++;
      shown.add(s);
      log.add("shown " + s);
    }

    @Override
    public void flush() {
      pendingEvents = 0;
    }
  }

  @Test
  void theWorldsShoppersAreDeterministicAndClickWithTheirTrueProbability() throws IOException {
    LiveShoppers live = new LiveShoppers(Scale.TINY, 5);
    ByBid a = new ByBid();
    // the world's own days (shift 0), so the tiny catalog's flights are live
    GenerationSummary sa = live.run(200, 3, 0, 0, a, a, () -> false);
    ByBid b = new ByBid();
    new LiveShoppers(Scale.TINY, 5).run(200, 3, 0, 0, b, b, () -> false);
    assertEquals(a.log, b.log, "same world, same answers: the same run");
    assertTrue(a.requests > 100, "requests: " + a.requests);
    assertTrue(sa.events() > 0);
    assertEquals(sa.impressions(), a.shown.size());
    double expected = a.shown.stream().mapToDouble(LiveShoppers.Shown::trueCtr).sum();
    long clicks = a.shown.stream().filter(LiveShoppers.Shown::clicked).count();
    assertEquals(expected, clicks, 4 * Math.sqrt(expected) + 1, "clicks follow the true probabilities");
    assertTrue(a.shown.stream().allMatch(s -> s.requestId().startsWith("rq-") && s.slot() >= 1 && s.slot() <= 4));

    ByBid other = new ByBid();
    new LiveShoppers(Scale.TINY, 5).run(200, 3, 0, 9, other, other, () -> false);
    assertNotEquals(a.log, other.log, "another click seed draws other clicks");
  }

  @Test
  void clicksConvertWithTheirTrueConversionProbabilityAsTheWorldDrawsThem() throws IOException {
    ByBid a = new ByBid();
    GenerationSummary sa = new LiveShoppers(Scale.TINY, 5).run(400, 3, 0, 0, a, a, () -> false);
    List<LiveShoppers.Shown> clicked = a.shown.stream().filter(LiveShoppers.Shown::clicked).toList();
    assertTrue(a.shown.stream().noneMatch(s -> s.converted() && !s.clicked()), "only a click converts");
    assertTrue(a.shown.stream().allMatch(s -> s.trueCvr() > 0 && s.trueCvr() < 1));
    double expected = clicked.stream().mapToDouble(LiveShoppers.Shown::trueCvr).sum();
    long conversions = clicked.stream().filter(LiveShoppers.Shown::converted).count();
    assertTrue(conversions > 10, "conversions: " + conversions);
    assertEquals(expected, conversions, 4 * Math.sqrt(expected) + 1, "conversions follow the true probabilities");
    assertEquals(conversions, sa.conversions());

    ByBid again = new ByBid();
    new LiveShoppers(Scale.TINY, 5).run(400, 3, 0, 0, again, again, () -> false);
    assertEquals(a.shown, again.shown, "the same seed draws the same conversions");
  }

  @Test
  void theTrueClickProbabilityOfAnyBannerIsTheOneTheShoppersClickWithFatigueIncluded() throws IOException {
    LiveShoppers live = new LiveShoppers(Scale.TINY, 5);
    ByBid a = new ByBid(); // the same banners again and again: fatigue builds up
    live.run(200, 3, 0, 0, a, a, () -> false);
    Map<String, List<dev.bannerranker.data.Impression>> seen = new HashMap<>();
    int fatigued = 0;
    for (LiveShoppers.Shown s : a.shown) {
      List<dev.bannerranker.data.Impression> before = seen.computeIfAbsent(s.userId(), k -> new ArrayList<>());
      int recent = dev.bannerranker.loop.offpolicy.LoggedContextTruth.recent(before, s.bannerId(), s.epochSecond());
      fatigued += recent > 0 ? 1 : 0;
      assertEquals(s.trueCtr(), live.trueClickProbability(s.userId(), s.bannerId(), s.slot(), recent), 1e-12,
          s.toString());
      if (recent > 0) {
        assertTrue(live.trueClickProbability(s.userId(), s.bannerId(), s.slot(), 0) > s.trueCtr(), "fatigue lowers it");
      }
      before.add(new dev.bannerranker.data.Impression("", s.userId(), s.epochSecond(), s.bannerId(), s.placement(),
          s.slot(), dev.bannerranker.data.Platform.WEB, s.clicked()));
    }
    assertTrue(fatigued > 100, "impressions after earlier ones of the same banner: " + fatigued);
    assertTrue(Double.isNaN(live.trueClickProbability("u-nobody", a.shown.get(0).bannerId(), 1, 0)));
    assertTrue(Double.isNaN(live.trueClickProbability(a.shown.get(0).userId(), "b-none", 1, 0)));
    assertTrue(Double.isNaN(live.trueClickProbability(a.shown.get(0).userId(), a.shown.get(0).bannerId(), 5, 0)));
  }

  @Test
  void theClockIsShiftedAndTheRunStopsWhenAsked() throws IOException {
    ByBid a = new ByBid();
    int[] visits = {0};
    new LiveShoppers(Scale.TINY, 5).run(400, 14, 86_400L * 14, 0, a, a, () -> ++visits[0] > 20);
    assertEquals(21, visits[0], "stop is asked before each visit");
    assertTrue(a.shown.stream().allMatch(s -> s.epochSecond() >= LiveShoppers.WORLD_START + 86_400L * 14));
  }

  @Test
  void generateWritesTheWorldsScaleAndSeed() throws IOException {
    SimulateCommand.WorldId id = SimulateCommand.readWorld(world);
    assertEquals(Scale.TINY, id.scale());
    assertEquals(5, id.seed());
  }

  @Test
  void onlyLoopbackTargetsAreDriven() {
    assertEquals("localhost", SimulateCommand.loopbackHost("localhost:50051"));
    assertEquals("127.0.0.1", SimulateCommand.loopbackHost("127.0.0.1:1"));
    assertEquals(ExitCodes.USAGE, run("simulate", "--target", "10.1.2.3:50051", "--world", world.toString()));
    assertEquals(ExitCodes.USAGE, run("simulate", "--target", "localhost", "--world", world.toString()));
    assertEquals(ExitCodes.USAGE, run("simulate", "--target", "localhost:0", "--world", world.toString()));
  }

  @Test
  void aDirectoryThatIsNoWorldIsBadData() throws IOException {
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    assertEquals(ExitCodes.BAD_DATA, run("simulate", "--target", "localhost:50051", "--world", empty.toString()));
  }

  @Test
  void anUnreachableServiceIsAnIoErrorNotAHang() throws IOException {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort(); // closed again: nothing listens there
    }
    assertEquals(ExitCodes.IO, run("simulate", "--target", "127.0.0.1:" + port, "--world", world.toString(),
        "--shoppers", "5", "--days", "1", "--duration", "30", "--start", "2026-03-02T00:00:00Z"));
  }

  static int run(String... args) {
    CommandLine cl = LoopCli.commandLine();
    cl.setOut(new PrintWriter(new StringWriter()));
    cl.setErr(new PrintWriter(new StringWriter()));
    return cl.execute(args);
  }
}
