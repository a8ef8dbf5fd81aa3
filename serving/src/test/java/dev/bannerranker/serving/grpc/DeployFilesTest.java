package dev.bannerranker.serving.grpc;

import static dev.bannerranker.serving.TestBundles.KNOWN_USER;
import static dev.bannerranker.serving.TestBundles.T;
import static dev.bannerranker.serving.grpc.GrpcCalls.impression;
import static dev.bannerranker.serving.grpc.GrpcCalls.rank;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bannerranker.proto.v1.ModelAdminServiceGrpc;
import dev.bannerranker.proto.v1.RankingServiceGrpc;
import dev.bannerranker.proto.v1.RecordEventsRequest;
import dev.bannerranker.proto.v1.ReloadModelRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.micronaut.context.ApplicationContext;
import io.micronaut.grpc.server.GrpcEmbeddedServer;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The files under deploy/ parse, and the alert rules and the Grafana dashboard name only metrics that a running
 * service exports (read from its own /prometheus after one call of each kind, so lazily registered meters appear).
 */
class DeployFilesTest {
  private static final Path DEPLOY = Path.of("..", "deploy");
  private static final Path DASHBOARD = Path.of("..", "docs", "grafana", "banner-ranker.json");
  private static final Set<String> PROMQL_WORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without",
      "on", "ignoring", "group_left", "group_right", "inf", "nan");

  private static List<Path> yamlFiles() throws IOException {
    try (Stream<Path> files = Files.walk(DEPLOY)) {
      return files.filter(p -> p.toString().endsWith(".yml") || p.toString().endsWith(".yaml")).sorted().toList();
    }
  }

  private static List<Object> load(Path file) throws IOException {
    List<Object> docs = new ArrayList<>();
    new Yaml().loadAll(Files.readString(file)).forEach(docs::add);
    return docs;
  }

  @Test
  void everyYamlFileParsesAndEveryManifestNamesItsKind() throws IOException {
    List<Path> files = yamlFiles();
    assertTrue(files.size() >= 10, "deploy/ has its files: " + files);
    for (Path file : files) {
      List<Object> docs = load(file);
      assertFalse(docs.isEmpty(), file + " is empty");
      if (file.startsWith(DEPLOY.resolve("k8s"))) {
        for (Object doc : docs) {
          Map<?, ?> manifest = assertInstanceOf(Map.class, doc, file.toString());
          assertNotNull(manifest.get("apiVersion"), file + ": apiVersion");
          assertNotNull(manifest.get("kind"), file + ": kind");
          if (!"Kustomization".equals(manifest.get("kind"))) {
            assertNotNull(((Map<?, ?>) manifest.get("metadata")).get("name"), file + ": metadata.name");
          }
        }
      }
    }
    // The application.yml inside the ConfigMap is YAML too.
    Map<?, ?> configMap = (Map<?, ?>) load(DEPLOY.resolve("k8s/configmap.yaml")).get(0);
    Object appYml = new Yaml().load((String) ((Map<?, ?>) configMap.get("data")).get("application.yml"));
    assertInstanceOf(Map.class, appYml);
    // Every k8s manifest is listed in the kustomization, and every listed file exists.
    Map<?, ?> kustomization = (Map<?, ?>) load(DEPLOY.resolve("k8s/kustomization.yaml")).get(0);
    Set<String> listed = ((List<?>) kustomization.get("resources")).stream().map(String::valueOf)
        .collect(Collectors.toSet());
    Set<String> manifests = files.stream().filter(p -> p.startsWith(DEPLOY.resolve("k8s")))
        .map(p -> p.getFileName().toString()).filter(n -> !n.equals("kustomization.yaml"))
        .collect(Collectors.toSet());
    assertEquals(manifests, listed);
  }

  @Test
  void alertsAndDashboardNameOnlyExportedMetrics(@TempDir Path logDir) throws Exception {
    Set<String> exported = exportedMetrics(logDir);
    Map<String, Set<String>> used = new java.util.LinkedHashMap<>();

    Map<?, ?> alerts = (Map<?, ?>) load(DEPLOY.resolve("prometheus/alerts.yml")).get(0);
    int rules = 0;
    for (Object group : (List<?>) alerts.get("groups")) {
      for (Object rule : (List<?>) ((Map<?, ?>) group).get("rules")) {
        Map<?, ?> r = (Map<?, ?>) rule;
        used.put("alert " + r.get("alert"), metricNames((String) r.get("expr")));
        rules++;
      }
    }
    assertTrue(rules >= 5, "alert rules: " + rules);

    // JSON is YAML, so the dashboard is read with the same parser.
    Object dashboard = new Yaml().load(Files.readString(DASHBOARD));
    List<String> exprs = new ArrayList<>();
    collect(dashboard, "expr", exprs);
    assertTrue(exprs.size() >= 10, "dashboard queries: " + exprs.size());
    for (String expr : exprs) {
      used.computeIfAbsent("dashboard", k -> new TreeSet<>()).addAll(metricNames(expr));
    }
    List<String> variables = new ArrayList<>();
    collect(dashboard, "definition", variables);
    for (String v : variables) {
      Matcher m = Pattern.compile("label_values\\(\\s*([a-zA-Z_:][\\w:]*)\\s*,").matcher(v);
      if (m.find()) {
        used.computeIfAbsent("dashboard variables", k -> new TreeSet<>()).add(m.group(1));
      }
    }

    for (Map.Entry<String, Set<String>> e : used.entrySet()) {
      assertFalse(e.getValue().isEmpty(), e.getKey() + " names no metric");
      Set<String> unknown = new TreeSet<>(e.getValue());
      unknown.removeAll(exported);
      assertTrue(unknown.isEmpty(), e.getKey() + " names metrics the service does not export: " + unknown);
    }
  }

  /** Each gRPC probe of the Deployment asks for a service that a running service with a model reports SERVING. */
  @Test
  void theDeploymentsProbesAskForServicesTheServiceReports() throws Exception {
    Map<?, ?> deployment = (Map<?, ?>) load(DEPLOY.resolve("k8s/deployment.yaml")).get(0);
    Map<?, ?> pod = (Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) deployment.get("spec")).get("template")).get("spec");
    Map<?, ?> container = (Map<?, ?>) ((List<?>) pod.get("containers")).get(0);
    List<String> services = new ArrayList<>();
    for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
      Map<?, ?> grpc = (Map<?, ?>) ((Map<?, ?>) container.get(probe)).get("grpc");
      assertNotNull(grpc, probe + " is a gRPC probe");
      services.add(grpc.get("service") == null ? "" : (String) grpc.get("service"));
    }
    assertEquals("", services.get(1), "readiness follows the server's status, NOT_SERVING without a model");
    try (ApplicationContext ctx = ApplicationContext.run(Map.of(), "test")) {
      ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost",
          ctx.getBean(GrpcEmbeddedServer.class).getPort()).usePlaintext().build();
      try {
        for (String service : services) {
          assertEquals(ServingStatus.SERVING, HealthGrpc.newBlockingStub(channel)
              .check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus(), service);
        }
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void metricNamesAreReadFromPromQl() {
    assertEquals(Set.of("a_bucket", "b_total"), metricNames("histogram_quantile(0.99, sum by (le, instance) "
        + "(rate(a_bucket{x=\"y{z}\",m=~\"R.*\"}[5m]))) / on (instance) sum without (q) (rate(b_total[$__rate_interval]))"
        + " > 0.5 and time() - 3"));
  }

  /** Metric names in a PromQL expression: identifiers that are not functions, keywords, labels or strings. */
  static Set<String> metricNames(String expr) {
    String s = expr.replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"")
        .replaceAll("\\{[^}]*}", " ")
        .replaceAll("\\[[^]]*]", " ")
        .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
        .replaceAll("\\$\\{?\\w+}?", " ");
    Set<String> names = new TreeSet<>();
    Matcher m = Pattern.compile("(?<![\\w.])([a-zA-Z_:][\\w:]*)(\\s*\\()?").matcher(s);
    while (m.find()) {
      if (m.group(2) == null && !PROMQL_WORDS.contains(m.group(1))) {
        names.add(m.group(1));
      }
    }
    return names;
  }

  private static void collect(Object node, String key, List<String> into) {
    if (node instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (key.equals(e.getKey()) && e.getValue() instanceof String s) {
          into.add(s);
        } else {
          collect(e.getValue(), key, into);
        }
      }
    } else if (node instanceof List<?> list) {
      list.forEach(n -> collect(n, key, into));
    }
  }

  /** The metric names of a test service's /prometheus after a Rank, a RecordEvents and a refused reload. */
  private static Set<String> exportedMetrics(Path logDir) throws Exception {
    // Configured as deploy/k8s configures it, so the meters of the limits exist, and with a serving log.
    try (ApplicationContext ctx = ApplicationContext.run(EmbeddedServer.class, Map.of(
        "ranker.limits.max-concurrent-calls.rank", "64", "ranker.limits.max-concurrent-calls.record-events", "32",
        "ranker.log.dir", logDir.toString()), "test").getApplicationContext()) {
      int grpcPort = ctx.getBean(GrpcEmbeddedServer.class).getPort();
      ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", grpcPort).usePlaintext().build();
      ManagedChannel admin = ManagedChannelBuilder.forAddress("localhost", ctx.getBean(AdminListener.class).port())
          .usePlaintext().build();
      try {
        var ranking = RankingServiceGrpc.newBlockingStub(channel);
        String top = ranking.rank(rank(KNOWN_USER, "home_hero").build()).getBanners(0).getBannerId();
        ranking.rank(rank("u-never-seen", "home_hero").build());
        ranking.recordEvents(RecordEventsRequest.newBuilder().addEvents(impression(KNOWN_USER, top, T - 60)).build());
        assertThrows(StatusRuntimeException.class, () -> ModelAdminServiceGrpc.newBlockingStub(admin)
            .reloadModel(ReloadModelRequest.newBuilder().setBundleDir("src/test/resources/bundles").build()));
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        admin.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
      String scrape = GrpcCalls.get(ctx.getBean(EmbeddedServer.class).getPort(), "/prometheus");
      Set<String> names = scrape.lines().filter(l -> !l.isBlank() && !l.startsWith("#"))
          .map(l -> l.split("[{ ]", 2)[0]).collect(Collectors.toCollection(TreeSet::new));
      assertTrue(names.contains("ranker_rank_responses_total"), "the scrape has the service's meters: " + names);
      return names;
    }
  }
}
