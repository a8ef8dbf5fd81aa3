package dev.bannerranker.loop.export;

import dev.bannerranker.cli.OutputPaths;
import dev.bannerranker.data.RowProblem;
import dev.bannerranker.loop.CliValues;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "export", mixinStandardHelpOptions = true,
    description = "Joins a serving log directory (decisions, impressions, clicks, conversions, product events, "
        + "profiles, catalog snapshots) into banners.csv, users.csv, events.csv and impressions.csv that train --data "
        + "accepts, and writes export_report.json with what each join rule did.")
public final class ExportCommand implements Callable<Integer> {
  @Option(names = "--logs", required = true, description = "The service's --log-dir.")
  Path logs;

  @Option(names = "--out", required = true, description = "Data directory to write (created if missing).")
  Path out;

  @Option(names = "--since", description = "Keep records at or after this time (ISO-8601 or a UTC date).")
  String since;

  @Option(names = "--until", description = "Keep records before this time; clicks up to the window after it.")
  String until;

  @Option(names = "--attribution-window", defaultValue = "30m",
      description = "Longest time from an impression to its click, e.g. 30m, 2h. Default: ${DEFAULT-VALUE}.")
  String window;

  @Option(names = "--conversion-window", defaultValue = "7d",
      description = "Longest time from a click to its conversion, e.g. 1d, 7d. Default: ${DEFAULT-VALUE}.")
  String conversionWindow;

  @Option(names = "--max-bad-fraction", defaultValue = "0.01",
      description = "Largest share of malformed log lines tolerated. Default: ${DEFAULT-VALUE}.")
  double maxBad;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    LogJoin.Options options = new LogJoin.Options(CliValues.instant("--since", since),
        CliValues.instant("--until", until), CliValues.duration("--attribution-window", window),
        CliValues.duration("--conversion-window", conversionWindow), maxBad);
    if (!Files.isDirectory(logs)) {
      throw new IllegalArgumentException("--logs " + logs + " is not a directory");
    }
    OutputPaths.checkDirectory("--out", out);
    LogJoin.Joined joined = LogJoin.join(logs, options);
    Map<String, Object> header = new LinkedHashMap<>();
    header.put("logs", logs.toString());
    header.put("since", options.since() == null ? null : options.since().toString());
    header.put("until", options.until() == null ? null : options.until().toString());
    header.put("attribution_window_seconds", options.window().toSeconds());
    header.put("conversion_window_seconds", options.conversionWindow().toSeconds());
    ExportWriter.write(joined, out, header);
    print(joined, spec.commandLine().getOut());
    return 0;
  }

  @SuppressWarnings("unchecked")
  static void print(LogJoin.Joined j, PrintWriter out) {
    Map<String, Object> c = j.counts();
    Map<String, Object> read = (Map<String, Object>) c.get("read");
    Map<String, Object> imp = (Map<String, Object>) c.get("impressions");
    Map<String, Object> clk = (Map<String, Object>) c.get("clicks");
    Map<String, Object> cv = (Map<String, Object>) c.get("conversions");
    out.printf("read %s lines in %s files: %s records, %s bad, %s torn, %s duplicate, %s outside the time range%n",
        read.get("lines"), read.get("files"), read.get("records"), read.get("bad_lines"), read.get("torn_lines"),
        read.get("duplicate_records"), read.get("outside_time_range"));
    out.printf("wrote %d banners, %d users, %d events, %d impressions (%s clicked)%n", j.banners().size(),
        j.users().size(), j.events().size(), j.impressions().size(), imp.get("clicked"));
    out.printf("clicks: %s read, %s joined by request id, %s joined by time, %s duplicate, %s without impression, "
        + "%s late%n", clk.get("read"), clk.get("joined_by_request_id"), clk.get("joined_by_time"),
        clk.get("duplicate"), clk.get("without_impression"), clk.get("late"));
    if (j.conversions()) {
      out.printf("conversions: %s read, %s joined by request id, %s joined by time, %s duplicate, %s without click, "
          + "%s late; %s impressions converted%n", cv.get("read"), cv.get("joined_by_request_id"),
          cv.get("joined_by_time"), cv.get("duplicate"), cv.get("without_click"), cv.get("late"),
          imp.get("converted"));
    } else {
      out.println("conversions: none in the log; impressions.csv has no converted column");
    }
    out.printf("impressions skipped: %s unknown banner, %s user without profile%n", imp.get("unknown_banner"),
        imp.get("user_without_profile"));
    printFirst(out, "bad line", j.badLines());
    printFirst(out, "torn line", j.tornLines());
    printFirst(out, "join problem", j.joinProblems());
    out.flush();
  }

  private static void printFirst(PrintWriter out, String what, List<RowProblem> problems) {
    problems.stream().limit(5).forEach(p -> out.println(what + ": " + p));
    if (problems.size() > 5) {
      out.println("... " + (problems.size() - 5) + " more " + what + "s in " + ExportWriter.REPORT_FILE);
    }
  }
}
