package dev.bannerranker.serving.cli;

import com.google.protobuf.Timestamp;
import dev.bannerranker.cli.ExitCodes;
import dev.bannerranker.proto.v1.FeatureContribution;
import dev.bannerranker.proto.v1.Platform;
import dev.bannerranker.proto.v1.RankRequest;
import dev.bannerranker.proto.v1.RankResponse;
import dev.bannerranker.proto.v1.RankedBanner;
import dev.bannerranker.proto.v1.RankingContext;
import dev.bannerranker.proto.v1.RankingServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.net.ssl.SSLException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** A plain grpc-java client of Rank: prints the ranking, or the status and message and exits 1. */
@Command(name = "rank", mixinStandardHelpOptions = true,
    description = {"Rank banners for a user on a running service and print them. Exits 1 on an error status.",
        "Columns: value is what a click is worth in the order (the bid, unless the server's ranker.ordering.value "
            + "says otherwise), pCTR the predicted click probability, and score = value x pCTR for personalized "
            + "banners (the popularity for the fallback order)."})
public final class RankCommand implements Callable<Integer> {
  @Mixin
  ClientConnection connection;

  @Option(names = "--user", required = true, description = "User id.")
  String user;

  @Option(names = "--placement", defaultValue = "home_hero", description = "Placement. Default: ${DEFAULT-VALUE}.")
  String placement;

  @Option(names = "--platform", description = "web, ios or android.")
  String platform;

  @Option(names = "--slots", defaultValue = "0", description = "Slots the placement renders.")
  int slots;

  @Option(names = "--results", defaultValue = "0", description = "Banners to return (0: the server default).")
  int results;

  @Option(names = "--time", description = "Request time, ISO-8601, e.g. 2026-03-10T12:00:00Z. Default: none is "
      + "sent, so the server's --default-time applies, or its clock when that is not set.")
  String time;

  @Option(names = "--candidates", split = ",", description = "Banner ids to rank (default: all of the placement).")
  List<String> candidates = List.of();

  @Option(names = "--debug", description = "Explain each score.")
  boolean debug;

  @Spec
  CommandSpec spec;

  @Option(names = "--token", defaultValue = "${env:RANKER_TOKEN}", description = "Bearer token, when the server "
      + "asks for one for Rank (ranker.security.rank-token). Default: the RANKER_TOKEN environment variable.")
  String token;

  @Option(names = "--deadline-ms", defaultValue = "5000", description = "Call deadline. Default: ${DEFAULT-VALUE}.")
  long deadlineMs;

  @Override
  public Integer call() throws InterruptedException {
    RankingContext.Builder ctx = RankingContext.newBuilder().setPlacement(placement).setSlotCount(slots);
    if (platform != null) {
      ctx.setPlatform(platform(platform));
    }
    if (time != null) {
      try {
        Instant t = Instant.parse(time);
        ctx.setTimestamp(Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()));
      } catch (DateTimeParseException e) {
        spec.commandLine().getErr().println("error: --time must be an ISO-8601 instant like 2026-03-10T12:00:00Z");
        return ExitCodes.USAGE;
      }
    }
    RankRequest request = RankRequest.newBuilder().setUserId(user).setContext(ctx).addAllCandidateBannerIds(candidates)
        .setNumResults(results).setDebug(debug).build();
    if (connection.problem() != null) {
      spec.commandLine().getErr().println("error: " + connection.problem());
      return ExitCodes.USAGE;
    }
    ManagedChannel channel;
    try {
      channel = connection.channel();
    } catch (SSLException | IllegalArgumentException e) {
      spec.commandLine().getErr().println("error: cannot set up TLS: " + e.getMessage());
      return ExitCodes.USAGE;
    }
    try {
      RankingServiceGrpc.RankingServiceBlockingStub stub =
          ClientConnection.withToken(RankingServiceGrpc.newBlockingStub(channel), token);
      RankResponse response = stub.withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS).rank(request);
      print(response, spec.commandLine().getOut());
      spec.commandLine().getOut().flush();
      if (response.getBannersCount() == 0) {
        // Not an error: the placement may be empty at that time. Say what usually causes it.
        spec.commandLine().getErr().println("note: nothing is eligible. Common causes: no banner of the placement is "
            + "in flight at the request time (" + (time != null ? "--time " + time
            : "the server's --default-time, or its clock; pass --time inside the flights") + "), the placement has "
            + "no banner for this user's targeting, or the user reached the frequency caps.");
        spec.commandLine().getErr().flush();
      }
      return 0;
    } catch (StatusRuntimeException e) {
      spec.commandLine().getErr().println(connection.errorLine(e));
      spec.commandLine().getErr().flush();
      return 1;
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static Platform platform(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "web" -> Platform.PLATFORM_WEB;
      case "ios" -> Platform.PLATFORM_IOS;
      case "android" -> Platform.PLATFORM_ANDROID;
      default -> Platform.PLATFORM_UNSPECIFIED; // the server sees unknown; no need to fail the client
    };
  }

  static void print(RankResponse r, PrintWriter out) {
    out.printf("request %s  model %s  arm %s%n", r.getRequestId(), r.getModelVersion(), r.getArm());
    if (r.getBannersCount() == 0) {
      out.println("no eligible banners");
      return;
    }
    out.printf("%3s  %-12s %-20s %-16s %8s %8s %9s %10s%n", "#", "banner", "brand", "reason", "value", "pCTR", "score",
        "propensity");
    int rank = 1;
    for (RankedBanner b : r.getBannersList()) {
      out.printf("%3d  %-12s %-20s %-16s %8.3f %8.5f %9.5f %10.4f%n", rank++, b.getBannerId(), b.getBrand(),
          b.getReason().name().replace("RANKING_REASON_", "").toLowerCase(Locale.ROOT), b.getValue(),
          b.getPredictedCtr(), b.getScore(), b.getPropensity());
      if (b.hasPredictedCvr()) { // a click-and-conversion model: the row's own line keeps the table as it was
        out.printf("       pCVR:  %.5f (conversion per impression %.6f)%n", b.getPredictedCvr(),
            b.getPredictedCtr() * b.getPredictedCvr());
      }
      if (b.hasExplanation()) {
        out.println("       wide:  " + b.getExplanation().getTopWideFeaturesList().stream()
            .map(RankCommand::contribution).collect(Collectors.joining(", ")));
        out.println("       near:  " + (b.getExplanation().getNearestRecentBrandsCount() == 0 ? "(no recent brands)"
            : b.getExplanation().getNearestRecentBrandsList().stream()
                .map(n -> String.format("%s %.2f (share %.2f)", n.getBrand(), n.getSimilarity(), n.getUserShare()))
                .collect(Collectors.joining(", "))));
      }
    }
  }

  private static String contribution(FeatureContribution c) {
    return String.format("%s %+.3f", c.getFeature(), c.getWeight());
  }
}
