package dev.bannerranker.serving.cli;

import dev.bannerranker.data.Banner;
import dev.bannerranker.serving.config.RequestSettings;
import dev.bannerranker.serving.grpc.AdminListener;
import dev.bannerranker.serving.grpc.CallExecutors;
import dev.bannerranker.serving.limits.ConcurrencyLimitInterceptor;
import dev.bannerranker.serving.model.Arm;
import dev.bannerranker.serving.model.ModelGeneration;
import dev.bannerranker.serving.model.ModelRegistry;
import dev.bannerranker.serving.store.UserStore;
import io.micronaut.context.ApplicationContext;
import io.micronaut.context.env.Environment;
import io.micronaut.grpc.server.GrpcEmbeddedServer;
import io.micronaut.runtime.Micronaut;
import io.micronaut.runtime.exceptions.ApplicationStartupException;
import io.micronaut.runtime.server.EmbeddedServer;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Starts the service with Micronaut; options become configuration overrides. */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Start the gRPC ranking service (and the metrics HTTP server). Every ranker.* key of "
        + "application.yml can also be set through the environment, see docs/operations.md.")
final class ServeCommand implements Callable<Integer> {
  @Option(names = "--bundle", description = "Model bundle directory (the control arm). Give this or --models-root.")
  Path bundle;

  @Option(names = "--models-root", description = "A models root with one bundle per version directory "
      + "(DIR/1, DIR/2, ...; `train --models-root` adds them): serves the newest valid version and swaps in newer "
      + "ones as they appear. Give this or --bundle.")
  Path modelsRoot;

  @Option(names = "--model-version", description = "With --models-root: serve this version and do not follow newer "
      + "ones.")
  Long modelVersion;

  @Option(names = "--port", defaultValue = "50051", description = "gRPC port. Default: ${DEFAULT-VALUE}.")
  int port;

  @Option(names = "--admin-port", description = "Port of the admin listener (ModelAdminService and the other admin "
      + "services, which the gRPC port does not serve), on ranker.admin.bind (default 127.0.0.1); 0 picks a free "
      + "port. Default: ranker.admin.port, 50052.")
  Integer adminPort;

  @Option(names = "--metrics-port", defaultValue = "8080",
      description = "HTTP port of /prometheus and /health. Default: ${DEFAULT-VALUE}.")
  int metricsPort;

  @Option(names = "--data", description = "Directory with users.csv (profiles), and optionally events.csv and "
      + "impressions.csv: imported into the user store when the store is empty (see the import command).")
  Path data;

  @Mixin
  StoreOptions store;

  @Option(names = "--treatment-bundle", description = "A second bundle for an A/B test.")
  Path treatmentBundle;

  @Option(names = "--treatment-percent", defaultValue = "0",
      description = "Share of users, 0-100, served by the treatment bundle. Default: ${DEFAULT-VALUE}.")
  int treatmentPercent;

  @Option(names = "--default-time", description = "ISO-8601 instant used for requests without a timestamp, "
      + "e.g. 2026-03-10T12:00:00Z to serve the demo world's period.")
  String defaultTime;

  @Option(names = "--log-dir", description = "Directory of the serving log: a decision record per Rank, every "
      + "applied event, the profiles used and catalog snapshots (docs/serving-log.md). Default: no log.")
  Path logDir;

  @Spec
  CommandSpec spec;

  /** A demo world's banners fly in its own weeks; say so rather than answer every request with nothing. */
  private static void warnIfNothingIsInFlight(ModelGeneration model, long now) {
    List<Banner> catalog = model.model().bundle().catalog();
    if (catalog.stream().noneMatch(b -> b.liveAt(now))) {
      // The flight start at which the most banners are in flight.
      long best = catalog.stream().mapToLong(Banner::startTime).boxed()
          .max(Comparator.comparingLong(t -> catalog.stream().filter(b -> b.liveAt(t)).count()))
          .orElse(now);
      System.err.println("note: no banner of this model is in flight at " + Instant.ofEpochSecond(now)
          + "; rankings will be empty. For a demo world pass --default-time " + Instant.ofEpochSecond(best)
          + " (or send request timestamps inside the flights).");
    }
  }

  /**
   * Micronaut that lets a start-up failure reach the exit-code handler: its own handler logs it and exits 1,
   * whatever the failure (a refused bundle, a bad data directory, a port in use).
   */
  private static final class StartupFailuresThrow extends Micronaut {
    @Override
    protected void handleStartupException(Environment environment, Throwable exception) {
      if (exception instanceof RuntimeException r) {
        throw r;
      }
      if (exception instanceof Error e) {
        throw e;
      }
      throw new ApplicationStartupException("Error starting Micronaut server: " + exception.getMessage(), exception);
    }
  }

  @Override
  public Integer call() throws InterruptedException {
    if ((bundle == null) == (modelsRoot == null)) {
      throw new ParameterException(spec.commandLine(), "give one of --bundle DIR or --models-root DIR");
    }
    Path source = bundle != null ? bundle : modelsRoot;
    if (source.toString().isBlank()) { // an empty ranker.model.bundle would start without a model
      throw new ParameterException(spec.commandLine(), (bundle != null ? "--bundle" : "--models-root")
          + " must name a directory");
    }
    if (modelVersion != null && (modelsRoot == null || modelVersion <= 0)) {
      throw new ParameterException(spec.commandLine(), "--model-version needs --models-root and a positive version, "
          + "got " + modelVersion);
    }
    // Checked here too, so the message names the option rather than the configuration key it becomes.
    if (treatmentPercent < 0 || treatmentPercent > 100) {
      throw new ParameterException(spec.commandLine(), "--treatment-percent must be in [0, 100], got " + treatmentPercent);
    }
    if (defaultTime != null) {
      try {
        Instant.parse(defaultTime);
      } catch (DateTimeParseException e) {
        throw new ParameterException(spec.commandLine(),
            "--default-time must be an ISO-8601 instant like 2026-03-10T12:00:00Z, got '" + defaultTime + "'");
      }
    }
    Map<String, Object> props = new HashMap<>();
    store.apply(spec.commandLine(), props);
    if (bundle != null) {
      props.put("ranker.model.bundle", bundle.toString());
    } else {
      props.put("ranker.model.bundle", ""); // whatever the configuration says: the root serves the control arm
      props.put("ranker.model.models-root", modelsRoot.toString());
      if (modelVersion != null) {
        props.put("ranker.model.model-version", modelVersion);
      }
    }
    props.put("grpc.server.port", port);
    props.put("micronaut.server.port", metricsPort);
    if (adminPort != null) {
      if (adminPort < 0 || adminPort > 65535) {
        throw new ParameterException(spec.commandLine(), "--admin-port must be in [0, 65535], got " + adminPort);
      }
      props.put("ranker.admin.port", adminPort);
    }
    if (data != null) {
      props.put("ranker.users.data-dir", data.toString());
      props.put("ranker.users.bootstrap-history", true);
    }
    if (treatmentBundle != null) {
      props.put("ranker.model.treatment-bundle", treatmentBundle.toString());
      props.put("ranker.model.treatment-percent", treatmentPercent);
    }
    if (defaultTime != null) {
      props.put("ranker.request.default-time", defaultTime);
    }
    if (logDir != null) {
      if (logDir.toString().isBlank()) {
        throw new ParameterException(spec.commandLine(), "--log-dir must name a directory");
      }
      try {
        dev.bannerranker.cli.OutputPaths.checkDirectory("--log-dir", logDir);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
      props.put("ranker.log.dir", logDir.toString());
    }
    // A refused bundle stops the start (ModelLifecycle) before the ports open, and exits 4 with the reason.
    ApplicationContext ctx = new StartupFailuresThrow().args().mainClass(ServingCli.class).banner(false)
        .properties(props).start();
    ModelGeneration control = ctx.getBean(ModelRegistry.class).current().generation(Arm.CONTROL);
    if (control == null) { // cannot happen: ModelLifecycle fails the start instead
      ctx.close();
      throw new IllegalStateException("the service started without the control bundle " + source);
    }
    System.out.println("banner-ranker serving model " + control.version());
    System.out.println("  build    " + dev.bannerranker.BuildInfo.current().describe());
    System.out.println("  gRPC     localhost:" + ctx.getBean(GrpcEmbeddedServer.class).getPort());
    System.out.println("  admin    " + ctx.getBean(AdminListener.class).address());
    System.out.println("  metrics  http://localhost:" + ctx.getBean(EmbeddedServer.class).getPort() + "/prometheus");
    System.out.println("  calls    " + ctx.getBean(CallExecutors.class).describe());
    System.out.println("  limits   " + ctx.getBean(ConcurrencyLimitInterceptor.class).describe());
    System.out.println("  state    " + ctx.getBean(UserStore.class).describe());
    // Which kernels the JVM chose at start-up: without --add-modules jdk.incubator.vector scoring is ~20x slower.
    System.out.println("  scoring  " + control.model().scorer().kernelName() + " kernels");
    if (modelsRoot != null) {
      System.out.println("  models   " + modelsRoot + ", version " + dev.bannerranker.bundle.ModelsRoot.versionOf(
          control.bundleDir()) + (modelVersion != null ? " (pinned)" : " (newer versions are swapped in)"));
    }
    if (logDir != null) {
      System.out.println("  log      " + logDir);
    }
    warnIfNothingIsInFlight(control, ctx.getBean(RequestSettings.class).nowSeconds());
    System.out.flush();
    // Park: on SIGTERM, Micronaut's shutdown hook turns health NOT_SERVING, drains calls in flight and stops
    // the servers, and the JVM exits after it.
    new CountDownLatch(1).await();
    return 0;
  }
}
