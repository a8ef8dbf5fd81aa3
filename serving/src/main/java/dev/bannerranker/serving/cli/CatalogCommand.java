package dev.bannerranker.serving.cli;

import dev.bannerranker.cli.ExitCodes;
import dev.bannerranker.data.BadInputException;
import dev.bannerranker.data.Banner;
import dev.bannerranker.data.BannerCsv;
import dev.bannerranker.data.CsvSchemas;
import dev.bannerranker.data.CsvTable;
import dev.bannerranker.data.DataProblems;
import dev.bannerranker.data.EventLogReader;
import dev.bannerranker.proto.v1.CatalogAdminServiceGrpc;
import dev.bannerranker.proto.v1.CatalogAdminServiceGrpc.CatalogAdminServiceBlockingStub;
import dev.bannerranker.proto.v1.CatalogBanner;
import dev.bannerranker.proto.v1.ListBannersRequest;
import dev.bannerranker.proto.v1.ListBannersResponse;
import dev.bannerranker.proto.v1.UpsertBannersRequest;
import dev.bannerranker.proto.v1.UpsertBannersResponse;
import dev.bannerranker.serving.catalog.BannerInput;
import dev.bannerranker.serving.catalog.CatalogService;
import dev.bannerranker.serving.grpc.CatalogBanners;
import dev.bannerranker.serving.ranking.InvalidRequestException;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code catalog import|export}: the live catalog in bulk, through CatalogAdminService. */
@Command(name = "catalog", mixinStandardHelpOptions = true,
    description = "Bulk changes to a running service's live catalog (CatalogAdminService; needs the admin token).",
    subcommands = {CatalogCommand.Import.class, CatalogCommand.Export.class})
public final class CatalogCommand {
  /** The optional last column of an import or export: 1 when the banner is paused. */
  static final String PAUSED = "paused";

  /** The optional columns of an import, in order: those of banners.csv, then {@link #PAUSED}. */
  static final List<List<String>> IMPORT_OPTIONAL = java.util.stream.Stream.concat(
      CsvSchemas.BANNERS_OPTIONAL.stream(), java.util.stream.Stream.of(List.of(PAUSED))).toList();

  /** Options of both subcommands. */
  static final class Common {
    @Mixin
    ClientConnection connection;

    @Option(names = "--token", defaultValue = "${env:RANKER_ADMIN_TOKEN}", description = "The admin bearer token "
        + "(ranker.security.admin-token). Default: the RANKER_ADMIN_TOKEN environment variable.")
    String token;

    @Option(names = "--deadline-ms", defaultValue = "60000", description = "Call deadline. Default: ${DEFAULT-VALUE}.")
    long deadlineMs;

    CatalogAdminServiceBlockingStub stub(ManagedChannel channel) {
      return ClientConnection.withToken(CatalogAdminServiceGrpc.newBlockingStub(channel), token)
          .withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS);
    }
  }

  /** A call against the service: the channel is opened and closed around it; an error status exits 1. */
  interface Call {
    int run(CatalogAdminServiceBlockingStub stub) throws IOException;
  }

  static int withService(Common common, CommandSpec spec, Call call) throws InterruptedException, IOException {
    PrintWriter err = spec.commandLine().getErr();
    if (common.connection.problem() != null) {
      err.println("error: " + common.connection.problem());
      return ExitCodes.USAGE;
    }
    ManagedChannel channel;
    try {
      channel = common.connection.channel();
    } catch (SSLException | IllegalArgumentException e) {
      err.println("error: cannot set up TLS: " + e.getMessage());
      return ExitCodes.USAGE;
    }
    try {
      return call.run(common.stub(channel));
    } catch (StatusRuntimeException e) {
      err.println(common.connection.errorLine(e));
      return 1;
    } finally {
      err.flush();
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** {@code catalog import}: every row of a banners.csv in one UpsertBanners call, after checking them all here. */
  @Command(name = "import", mixinStandardHelpOptions = true,
      description = {"Create or replace every banner of a banners.csv (the input format, its optional "
          + "'bid_per_conversion' included; an optional last column 'paused' holds 0 or 1) in one UpsertBanners "
          + "call: all of them, or none.",
          "A bad row names the file and line and nothing is sent (exit 3)."})
  static final class Import implements Callable<Integer> {
    @Mixin
    Common common;

    @Option(names = "--csv", required = true, description = "The banners file.")
    Path csv;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException, IOException {
      List<CatalogBanner> banners = read(csv);
      return withService(common, spec, stub -> {
        UpsertBannersResponse r = stub.upsertBanners(UpsertBannersRequest.newBuilder().addAllBanners(banners).build());
        spec.commandLine().getOut().printf("imported %d banners (%d new, %d replaced): catalog version %d%n",
            banners.size(), r.getCreated(), r.getReplaced(), r.getCatalogVersion());
        spec.commandLine().getOut().flush();
        return 0;
      });
    }

    /** Every row, checked as the trainer checks banners.csv; any bad row fails the whole file. */
    static List<CatalogBanner> read(Path file) {
      DataProblems problems = new DataProblems(0);
      List<CatalogBanner> out = new ArrayList<>();
      Set<String> ids = new HashSet<>();
      Path dir = file.toAbsolutePath().getParent();
      CsvTable.read(dir, file.getFileName().toString(), CsvSchemas.BANNERS_HEADER, IMPORT_OPTIONAL, row -> {
        Banner b = EventLogReader.parseBanner(row);
        if (!ids.add(b.id())) {
          throw new IllegalArgumentException("banner_id '" + b.id() + "' appears twice");
        }
        boolean paused = row.has(PAUSED) && !row.optionalText(PAUSED).isEmpty() && row.flag01(PAUSED);
        try {
          // The service's own check too (its length limit), so that the service refuses nothing this one passed.
          CatalogService.parse("row", new BannerInput(BannerCsv.cellMap(b), paused));
        } catch (InvalidRequestException e) {
          throw new IllegalArgumentException(e.getMessage());
        }
        return CatalogBanners.proto(b, paused);
      }, out::add, problems);
      if (!problems.problems().isEmpty()) {
        problems.checkLimit(file.getFileName().toString());
      }
      if (out.isEmpty()) {
        throw new BadInputException(file + ": no banners");
      }
      if (out.size() > CatalogService.MAX_BANNERS_PER_CALL) {
        throw new BadInputException(file + ": " + out.size() + " banners, more than the "
            + CatalogService.MAX_BANNERS_PER_CALL + " one UpsertBanners call takes; split the file");
      }
      return out;
    }
  }

  /** {@code catalog export}: every banner, page by page, as a banners.csv with the 'paused' column. */
  @Command(name = "export", mixinStandardHelpOptions = true,
      description = "Write the live catalog as a banners.csv with the 'bid_per_conversion' column (empty: bids per "
          + "click only) and a last column 'paused' (0 or 1), to --out or standard output.")
  static final class Export implements Callable<Integer> {
    @Mixin
    Common common;

    @Option(names = "--out", description = "Output file (written whole, then moved into place). Default: standard "
        + "output.")
    Path out;

    @Option(names = "--page-size", defaultValue = "1000", description = "Banners per ListBanners call. Default: "
        + "${DEFAULT-VALUE}.")
    int pageSize;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException, IOException {
      return withService(common, spec, stub -> {
        List<CatalogBanner> all = new ArrayList<>();
        String token = "";
        long version;
        do {
          ListBannersResponse page = stub.listBanners(ListBannersRequest.newBuilder().setPageSize(pageSize)
              .setPageToken(token).build());
          all.addAll(page.getBannersList());
          token = page.getNextPageToken();
          version = page.getCatalogVersion();
        } while (!token.isEmpty());
        if (out == null) {
          Writer w = new OutputStreamWriter(System.out, StandardCharsets.UTF_8);
          write(all, w);
          w.flush();
        } else {
          Path tmp = Files.createTempFile(out.toAbsolutePath().getParent(), ".catalog-", ".tmp");
          try {
            try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
              write(all, w);
            }
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
          } finally {
            Files.deleteIfExists(tmp);
          }
          spec.commandLine().getErr().printf("exported %d banners of catalog version %d to %s%n", all.size(),
              version, out);
        }
        return 0;
      });
    }

    static void write(List<CatalogBanner> banners, Writer w) throws IOException {
      List<String> header = new ArrayList<>(CsvSchemas.BANNERS_COLUMNS);
      header.add(PAUSED);
      CSVFormat format = CSVFormat.DEFAULT.builder().setHeader(header.toArray(String[]::new)).setRecordSeparator('\n')
          .get();
      CSVPrinter p = new CSVPrinter(w, format);
      for (CatalogBanner b : banners) {
        List<String> cells = new ArrayList<>(BannerCsv.cellMap(CatalogBanners.banner(b)).values());
        cells.add(b.getPaused() ? "1" : "0");
        p.printRecord(cells);
      }
      p.flush();
    }
  }
}
