package dev.bannerranker.loop.simulate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.bannerranker.data.BadInputException;
import dev.bannerranker.loop.CliValues;
import dev.bannerranker.trainer.generate.GenerationSummary;
import dev.bannerranker.trainer.generate.LiveShoppers;
import dev.bannerranker.trainer.generate.Scale;
import dev.bannerranker.trainer.generate.WorldGenerator;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "simulate", mixinStandardHelpOptions = true,
    description = "Drives a running service on this machine with the demo world's own shoppers: they browse "
        + "(RecordEvents), visit the home page (Rank), see the returned banners (impressions), click with the "
        + "world's true click probability and convert (a conversion event 10 minutes after the click) with its true "
        + "conversion probability. Runs on a simulated clock; prints the online CTR per slot and model.")
public final class SimulateCommand implements Callable<Integer> {
  @Option(names = "--target", required = true, description = "Service address, HOST:PORT; loopback only.")
  String target;

  @Option(names = "--world", required = true, description = "Directory written by generate (holds world.json).")
  Path world;

  @Option(names = "--shoppers", description = "Simulate the first N shoppers of the world (default: all).")
  Integer shoppers;

  @Option(names = "--days", defaultValue = "1", description = "Simulated days, 1 to 14. Default: ${DEFAULT-VALUE}.")
  int days;

  @Option(names = "--duration", defaultValue = "600",
      description = "Stop after this many seconds of wall-clock time. Default: ${DEFAULT-VALUE}.")
  long duration;

  @Option(names = "--seed", defaultValue = "0",
      description = "Click and conversion draws: 0 the world's own, any other value other draws. "
          + "Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--start", defaultValue = "2026-03-16T00:00:00Z",
      description = "Simulated time of the first day, after the demo world's 14 days. Default: ${DEFAULT-VALUE}.")
  String start;

  @Option(names = "--json", description = "Write the online CTRs as JSON to this file.")
  Path json;

  @Option(names = "--deadline-ms", defaultValue = "5000", description = "Deadline of each call. Default: ${DEFAULT-VALUE}.")
  long deadlineMs;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    String host = loopbackHost(target);
    if (duration < 1 || duration > 7 * 24 * 3600) {
      throw new IllegalArgumentException("--duration must be 1 to 604800 seconds, got " + duration);
    }
    if (deadlineMs < 1 || deadlineMs > 600_000) {
      throw new IllegalArgumentException("--deadline-ms must be 1 to 600000, got " + deadlineMs);
    }
    if (json != null) {
      CliValues.checkOutputFile("--json", json);
    }
    Instant first = CliValues.instant("--start", start);
    WorldId id = readWorld(world);
    LiveShoppers shoppersOfWorld = new LiveShoppers(id.scale(), id.seed());
    int n = shoppers == null ? shoppersOfWorld.users() : Math.min(shoppers, shoppersOfWorld.users());
    if (shoppers != null && shoppers < 1) {
      throw new IllegalArgumentException("--shoppers must be positive, got " + shoppers);
    }
    long shift = first.getEpochSecond() - LiveShoppers.WORLD_START;
    PrintWriter out = spec.commandLine().getOut();
    ManagedChannel channel = ManagedChannelBuilder.forTarget(target).usePlaintext().build();
    long wallStart = System.nanoTime();
    long wallEnd = wallStart + TimeUnit.SECONDS.toNanos(duration);
    boolean[] stoppedEarly = {false};
    GrpcShop shop = new GrpcShop(channel, deadlineMs);
    GenerationSummary sum;
    try {
      sum = shoppersOfWorld.run(n, days, shift, seed, shop, shop, () -> {
        if (System.nanoTime() > wallEnd) {
          stoppedEarly[0] = true;
          return true;
        }
        return false;
      });
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    double wall = (System.nanoTime() - wallStart) / 1e9;
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("target", host + target.substring(target.lastIndexOf(':')));
    report.put("world", world.toString());
    report.put("scale", id.scale().code());
    report.put("world_seed", id.seed());
    report.put("click_seed", seed);
    report.put("shoppers", n);
    report.put("days", days);
    report.put("start", first.toString());
    report.put("stopped_by_duration", stoppedEarly[0]);
    report.put("wall_seconds", wall);
    report.put("rank_calls", shop.rankCalls());
    report.put("rank_errors", shop.rankErrors());
    report.put("record_events_calls", shop.recordCalls());
    report.put("events_sent", shop.eventsSent());
    report.put("events_rejected", shop.eventsRejected());
    report.put("product_events", sum.events());
    report.putAll(shop.ctr().json());
    if (json != null) {
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), report);
    }
    print(report, shop, out);
    return 0;
  }

  @SuppressWarnings("unchecked")
  private static void print(Map<String, Object> r, GrpcShop shop, PrintWriter out) {
    out.printf(Locale.ROOT, "simulated %s shoppers over %s day(s) from %s in %.1f s%s: %d Rank calls (%d failed), "
        + "%d events sent (%d rejected)%n", r.get("shoppers"), r.get("days"), r.get("start"), r.get("wall_seconds"),
        Boolean.TRUE.equals(r.get("stopped_by_duration")) ? " (stopped by --duration)" : "", shop.rankCalls(),
        shop.rankErrors(), shop.eventsSent(), shop.eventsRejected());
    Map<String, Object> all = (Map<String, Object>) r.get("all");
    out.printf(Locale.ROOT, "online CTR %.5f (%s clicks / %s impressions; mean true CTR %.5f), %s conversions "
        + "(CVR %.5f; mean true CVR %.5f)%n", all.get("ctr"), all.get("clicks"), all.get("impressions"),
        all.get("mean_true_ctr"), all.get("conversions"), all.get("cvr"), all.get("mean_true_cvr_of_clicks"));
    ((Map<String, Object>) r.get("by_slot")).forEach((slot, v) -> {
      Map<String, Object> c = (Map<String, Object>) v;
      out.printf(Locale.ROOT, "  slot %s: CTR %.5f  (%s / %s, true %.5f)%n", slot, c.get("ctr"), c.get("clicks"),
          c.get("impressions"), c.get("mean_true_ctr"));
    });
    ((Map<String, Object>) r.get("by_model_version")).forEach((model, v) -> {
      Map<String, Object> c = (Map<String, Object>) v;
      Map<String, Object> top = (Map<String, Object>) ((Map<String, Object>) r.get("top_slot_by_model_version"))
          .getOrDefault(model, Map.of("ctr", 0.0));
      out.printf(Locale.ROOT, "  model %s: CTR %.5f, top slot %.5f  (%s impressions)%n", model.isEmpty() ? "?" : model,
          c.get("ctr"), top.get("ctr"), c.get("impressions"));
    });
    out.flush();
  }

  /** The host of HOST:PORT when it is a loopback address; otherwise a usage error. */
  static String loopbackHost(String target) {
    int colon = target == null ? -1 : target.lastIndexOf(':');
    if (colon <= 0 || colon == target.length() - 1) {
      throw new IllegalArgumentException("--target must be HOST:PORT, got '" + shorten(target) + "'");
    }
    String host = target.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    try {
      int port = Integer.parseInt(target.substring(colon + 1));
      if (port < 1 || port > 65_535) {
        throw new NumberFormatException();
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--target port must be 1 to 65535, got '" + shorten(target) + "'");
    }
    try {
      for (InetAddress a : InetAddress.getAllByName(host)) {
        if (!a.isLoopbackAddress()) {
          throw new IllegalArgumentException("--target must be a loopback address (localhost, 127.0.0.1, ::1): "
              + "the simulator only drives a service on this machine; got '" + shorten(host) + "'");
        }
      }
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("--target host '" + shorten(host) + "' does not resolve");
    }
    return host;
  }

  /** The scale and seed a world directory was generated with. */
  public record WorldId(Scale scale, long seed) {}

  public static WorldId readWorld(Path dir) throws IOException {
    Path file = dir.resolve(WorldGenerator.WORLD_FILE);
    if (!Files.isRegularFile(file)) {
      throw new BadInputException(file + ": missing; --world must be a directory written by bin/ranker generate");
    }
    try {
      JsonNode n = new ObjectMapper().readTree(file.toFile());
      JsonNode scale = n == null ? null : n.get("scale");
      JsonNode seed = n == null ? null : n.get("seed");
      if (scale == null || !scale.isTextual() || seed == null || !seed.canConvertToLong()) {
        throw new BadInputException(file + ": needs fields 'scale' (tiny, demo or large) and 'seed' (an integer)");
      }
      return new WorldId(Scale.parse(scale.asText()), seed.asLong());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new BadInputException(file + ": not JSON");
    } catch (IllegalArgumentException e) {
      throw new BadInputException(file + ": field 'scale': " + e.getMessage());
    }
  }

  private static String shorten(String s) {
    return s == null ? "" : s.length() <= 60 ? s : s.substring(0, 60) + "...";
  }
}
