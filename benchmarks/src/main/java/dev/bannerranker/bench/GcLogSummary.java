package dev.bannerranker.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.bannerranker.serving.cli.ServingCli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The young pauses of a unified JVM GC log ({@code -Xlog:gc*:file=...}, the default uptime decoration) in a window of
 * uptime: how many, how long (median, p99, max), how far apart, how much the young generation held after each
 * (the survivors copied), and how fast the heap filled between collections (the allocation rate). Works for the
 * Serial, Parallel and G1 collectors' {@code Pause Young} lines.
 */
@Command(name = "gc-summary", mixinStandardHelpOptions = true,
    description = "Summarises the young pauses of a unified GC log in a window of JVM uptime.")
public final class GcLogSummary implements Callable<Integer> {
  /** {@code [12.345s][info][gc] GC(7) Pause Young (Allocation Failure) 45M->12M(123M) 8.123ms}. */
  private static final Pattern PAUSE = Pattern.compile(
      "^\\[(\\d+(?:\\.\\d+)?)s\\].*\\bGC\\((\\d+)\\) Pause (Young|Full)[^\\d]*?(\\d+)M->(\\d+)M\\((\\d+)M\\) (\\d+(?:\\.\\d+)?)ms");
  /** Young generation occupancy before and after: Serial's DefNew, Parallel's PSYoungGen. */
  private static final Pattern YOUNG = Pattern.compile(
      "\\bGC\\((\\d+)\\) (?:DefNew|PSYoungGen): (\\d+)K(?:\\(\\d+K\\))?->(\\d+)K\\((\\d+)K\\)");

  @Parameters(index = "0", description = "The GC log.")
  Path log;

  @Option(names = "--from", defaultValue = "0", description = "Start of the window, seconds of JVM uptime.")
  double from;

  @Option(names = "--to", defaultValue = "1e12", description = "End of the window, seconds of JVM uptime.")
  double to;

  @Option(names = "--requests", description = "Calls served from --from to --to, for the bytes allocated per call.")
  Long requests;

  @Option(names = "--json", description = "Also write the figures here.")
  Path json;

  public static void main(String[] args) {
    System.exit(ServingCli.withExitCodes(new CommandLine(new GcLogSummary())).execute(args));
  }

  /** One collection: when it started, the heap before and after (MiB), the pause (ms), the young gen after (KiB). */
  record Pause(int id, double at, boolean full, long heapBeforeMb, long heapAfterMb, double ms, long youngBeforeKb,
      long youngAfterKb, long youngCapacityKb) {}

  @Override
  public Integer call() throws IOException {
    CommandLine cl = new CommandLine(this);
    if (!(from >= 0 && from < to)) {
      throw new CommandLine.ParameterException(cl, "--from must be at least 0 and below --to");
    }
    if (requests != null && requests < 1) {
      throw new CommandLine.ParameterException(cl, "--requests must be positive");
    }
    List<Pause> pauses = parse(Files.readAllLines(log));
    if (pauses.isEmpty()) {
      // a wrong file, or a log without -Xlog:gc: say so rather than report no pauses
      throw new CommandLine.ParameterException(cl, log + ": no 'Pause Young' or 'Pause Full' line; write the log "
          + "with -Xlog:gc*");
    }
    Map<String, Object> out = summarise(pauses, from, to, requests);
    out.forEach((k, v) -> System.out.printf("%-28s %s%n", k, v));
    if (json != null) {
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), out);
    }
    return 0;
  }

  static List<Pause> parse(List<String> lines) {
    Map<Integer, long[]> young = new LinkedHashMap<>();
    for (String line : lines) {
      Matcher y = YOUNG.matcher(line);
      if (y.find()) {
        young.put(Integer.parseInt(y.group(1)), new long[] {Long.parseLong(y.group(2)), Long.parseLong(y.group(3)),
            Long.parseLong(y.group(4))});
      }
    }
    List<Pause> pauses = new ArrayList<>();
    for (String line : lines) {
      Matcher m = PAUSE.matcher(line);
      if (m.find()) {
        int id = Integer.parseInt(m.group(2));
        long[] yg = young.getOrDefault(id, new long[] {-1, -1, -1});
        double ms = Double.parseDouble(m.group(7));
        // The line is written at the end of the pause; its start is what the interval is measured between.
        pauses.add(new Pause(id, Double.parseDouble(m.group(1)) - ms / 1000, m.group(3).equals("Full"),
            Long.parseLong(m.group(4)), Long.parseLong(m.group(5)), ms, yg[0], yg[1], yg[2]));
      }
    }
    return pauses;
  }

  static Map<String, Object> summarise(List<Pause> all, double from, double to, Long requests) {
    List<Pause> in = new ArrayList<>();
    for (Pause p : all) {
      if (p.at() >= from && p.at() <= to) {
        in.add(p);
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    List<Pause> young = in.stream().filter(p -> !p.full()).toList();
    double[] ms = young.stream().mapToDouble(Pause::ms).sorted().toArray();
    out.put("young_pauses", young.size());
    out.put("full_pauses", in.size() - young.size());
    if (young.size() < 2) {
      return out;
    }
    double span = young.get(young.size() - 1).at() - young.get(0).at();
    out.put("young_pauses_per_10s", round(10 * (young.size() - 1) / span));
    out.put("young_pause_median_ms", round(percentile(ms, 50)));
    out.put("young_pause_p99_ms", round(percentile(ms, 99)));
    out.put("young_pause_max_ms", round(ms[ms.length - 1]));
    out.put("young_pause_total_ms_per_10s", round(10 * Arrays.stream(ms).sum() / span));
    double[] gaps = new double[young.size() - 1];
    for (int i = 1; i < young.size(); i++) {
      gaps[i - 1] = 1000 * (young.get(i).at() - young.get(i - 1).at());
    }
    Arrays.sort(gaps);
    out.put("young_interval_median_ms", round(percentile(gaps, 50)));
    long[] survivors = young.stream().filter(p -> p.youngAfterKb() >= 0).mapToLong(Pause::youngAfterKb).sorted()
        .toArray();
    if (survivors.length > 0) {
      out.put("young_after_median_kb", survivors[survivors.length / 2]);
      out.put("young_capacity_kb", young.get(young.size() - 1).youngCapacityKb());
    }
    out.put("heap_after_median_mb", young.stream().mapToLong(Pause::heapAfterMb).sorted()
        .toArray()[young.size() / 2]);
    // Allocated between two collections: the young (else the whole) heap before the later less after the earlier.
    double allocatedKb = 0;
    for (int i = 1; i < in.size(); i++) {
      Pause a = in.get(i - 1);
      Pause b = in.get(i);
      allocatedKb += a.youngAfterKb() >= 0 && b.youngBeforeKb() >= 0 ? b.youngBeforeKb() - a.youngAfterKb()
          : 1024.0 * (b.heapBeforeMb() - a.heapAfterMb());
    }
    double allocSpan = in.get(in.size() - 1).at() - in.get(0).at();
    out.put("allocated_mb_per_s", round(allocatedKb / 1024 / allocSpan));
    if (requests != null && requests > 0) {
      // The rate of allocation over the rate of calls: the window's first and last pauses need not be at its ends.
      out.put("allocated_kb_per_request", round(allocatedKb / allocSpan / (requests / (to - from))));
    }
    return out;
  }

  private static double percentile(double[] sorted, double p) {
    int k = (int) Math.ceil(p / 100 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, k))];
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
