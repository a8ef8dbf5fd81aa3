#!/usr/bin/env bash
# The gRPC load test, measured fairly: the service on core 0, the load generator on core 1 (taskset), the benchmark
# model, 200 candidates, RUNS runs (default 5) on one service, and the pipeline's own median from PipelineBenchmark
# pinned to core 0 in the same session. Prints and writes benchmarks/results/loadtest-pinned.json with the median
# and spread of each figure and the two capacity goals:
#   Rank max/s >= 0.9 / (pipeline median + no-op per-call time)   and   p99 at 70 % of Rank max <= 5 ms.
#
#   benchmarks/pinned-loadtest.sh             # about 10 minutes on 2 cores (+2 the first time, for the model)
#   RUNS=3 DURATION=5 benchmarks/pinned-loadtest.sh
#
# Needs 2 cores, nothing else running, jq, and the benchmarks and serving jars (built when missing).
set -euo pipefail
# shellcheck source=benchmarks/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
RUNS=${RUNS:-5}; DURATION=${DURATION:-10}; CANDIDATES=${CANDIDATES:-200}
PORT=${PORT:-50091}; ADMIN_PORT=${ADMIN_PORT:-50092}; METRICS_PORT=${METRICS_PORT:-8191}
OUT=benchmarks/results/loadtest-pinned.json
WORK=benchmarks/target/pinned-loadtest
needs_two_cores
needs jq
build_jars
rm -rf "$WORK"; mkdir -p "$WORK" benchmarks/results
"$JAVA" -Xmx3g -Djava.awt.headless=true -cp "$BENCH_JAR" dev.bannerranker.bench.BenchModel
MODEL=benchmarks/target/bench-model

echo "pipeline: PipelineBenchmark.rank at $CANDIDATES candidates on core 0 ..." >&2
taskset -c 0 "$JAVA" -jar "$BENCH_JAR" 'dev\.bannerranker\.bench\.PipelineBenchmark\.rank' -p candidates="$CANDIDATES" \
  -f 1 -wi 3 -i 5 -w 1s -r 1s -rf json -rff "$WORK/pipeline.json" > "$WORK/pipeline.log"
# The median of JMH's sample-time distribution, in µs.
PIPE_UNIT=$(jq -r '.[0].primaryMetric.scoreUnit' "$WORK/pipeline.json")
case "$PIPE_UNIT" in
  ms/op) PIPE_US=$(jq '.[0].primaryMetric.scorePercentiles["50.0"] * 1000' "$WORK/pipeline.json") ;;
  us/op) PIPE_US=$(jq '.[0].primaryMetric.scorePercentiles["50.0"]' "$WORK/pipeline.json") ;;
  *) echo "error: unexpected JMH unit $PIPE_UNIT" >&2; exit 1 ;;
esac

ADMIN_FLAG=()
if "$JAVA" -jar "$SERVING_JAR" serve --help 2>/dev/null | grep -q -- '--admin-port'; then ADMIN_FLAG=(--admin-port "$ADMIN_PORT"); fi
# The service's JVM flags as bin/ranker serve gives them, then SERVICE_JAVA_OPTS: extra ones, e.g. a collector (on
# one CPU the JVM picks Serial by itself); a later flag wins.
SERVE_JAVA_FLAGS=$(sed -n 's/^SERVE_JAVA_FLAGS="\(.*\)"$/\1/p' bin/ranker)
# shellcheck disable=SC2086
RANKER_STATE_STORE=memory taskset -c 0 "$JAVA" -Xmx1g $SERVE_JAVA_FLAGS ${SERVICE_JAVA_OPTS:-} --add-modules jdk.incubator.vector -jar "$SERVING_JAR" serve \
  --bundle "$MODEL/bundle" --data "$MODEL/data" --default-time 2026-03-15T12:00:00Z \
  --port "$PORT" --metrics-port "$METRICS_PORT" "${ADMIN_FLAG[@]}" > "$WORK/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 120); do curl -sf "localhost:$METRICS_PORT/health" >/dev/null && break; sleep 1; done
curl -sf "localhost:$METRICS_PORT/health" >/dev/null || { echo "error: the service did not start, see $WORK/serve.log" >&2; exit 1; }

for run in $(seq "$RUNS"); do
  echo "run $run of $RUNS ..." >&2
  taskset -c 1 "$JAVA" -Xmx1g -cp "$BENCH_JAR" dev.bannerranker.bench.LoadTest --target "localhost:$PORT" \
    --candidates "$CANDIDATES" --duration "$DURATION" --catalog "$MODEL/bundle" --json "$WORK/run-$run.json" \
    --server-metrics "http://localhost:$METRICS_PORT/prometheus" \
    > "$WORK/run-$run.log" 2>&1
done
kill $SERVER; wait $SERVER 2>/dev/null || true

jq -s --argjson pipe_us "$PIPE_US" --arg service_opts "$SERVE_JAVA_FLAGS ${SERVICE_JAVA_OPTS:-}" --arg commit "$(git rev-parse --short HEAD)" --arg date "$(date -u +%F)" '
  def median: sort | if length % 2 == 1 then .[length/2|floor] else (.[length/2-1] + .[length/2]) / 2 end;
  def stats(f): [.[] | f] as $v | {median: ($v|median), min: ($v|min), max: ($v|max)};
  (stats(.noop_max_rps)) as $noop | (stats(.rank_max_rps)) as $rank | (stats(.rank_p99_ms_at_70pct)) as $p99 |
  (1e6 / $noop.median) as $noop_us |
  (0.9 * 1e6 / ($pipe_us + $noop_us)) as $rank_goal |
  { date: $date, commit: $commit, runs: length, candidates: .[0].candidates,
    duration_seconds_per_phase: .[0].duration_seconds_per_phase,
    pipeline_median_us: $pipe_us, noop_per_call_us: $noop_us,
    noop_max_rps: $noop, rank_max_rps: $rank, rank_share_of_noop: stats(.rank_share_of_noop),
    rank_p50_ms_at_70pct: stats(.rank_p50_ms_at_70pct), rank_p99_ms_at_70pct: $p99,
    server_rank_p99_ms_at_70pct: stats(.server_rank_p99_ms_at_70pct),
    sender_max_lag_ms_at_70pct: stats(.sender_max_lag_ms_at_70pct),
    errors: ([.[] | .errors] | add),
    errors_by_code: [.[] | .errors_by_code // null],
    service_java_opts: $service_opts,
    load_average_before: [.[] | .load_average_before],
    goals: { rank_rps_needed: $rank_goal, rank_rps_met: ($rank.median >= $rank_goal),
             p99_at_70pct_within_5ms: ($p99.median <= 5) },
    run_files: [range(1; length + 1) | "run-\(.).json"] }' "$WORK"/run-*.json > "$OUT"
cat "$OUT"
