#!/usr/bin/env bash
# What the serving log costs Rank: two services on core 0 serving the benchmark model from the memory store, one
# without the log and one with it (--log-dir), and the load generator on core 1 alternating one-second closed-loop
# slices between them (ABBA, LoadTest --compare-target), so both meet the same machine; RUNS runs (default 5).
# Writes benchmarks/results/logging-cost.json: the logging service's share of the other's Rank/s (median, min, max),
# and the records it wrote and dropped.
#
#   benchmarks/logging-cost.sh
#   RUNS=3 DURATION=3 benchmarks/logging-cost.sh
#
# Needs 2 cores, nothing else running, jq, curl, and the serving and benchmarks jars (built when missing).
set -euo pipefail
# shellcheck source=benchmarks/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
RUNS=${RUNS:-5}; DURATION=${DURATION:-4}; CANDIDATES=${CANDIDATES:-200}; USERS=${USERS:-2000}
W=benchmarks/target/logging-cost; T=2026-03-15T12:00:00Z
OUT=benchmarks/results/logging-cost.json
needs_two_cores
needs jq curl
build_jars
"$JAVA" -Xmx3g -Djava.awt.headless=true -cp "$BENCH_JAR" dev.bannerranker.bench.BenchModel
DATA=benchmarks/target/bench-model/data; BUNDLE=benchmarks/target/bench-model/bundle
rm -rf "$W"; mkdir -p "$W" benchmarks/results
SERVE_JAVA_FLAGS=$(sed -n 's/^SERVE_JAVA_FLAGS="\(.*\)"$/\1/p' bin/ranker)
# shellcheck disable=SC2086
J="$JAVA -Xmx1g $SERVE_JAVA_FLAGS --add-modules jdk.incubator.vector -jar $SERVING_JAR"
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT
RANKER_STATE_STORE=memory taskset -c 0 $J serve --bundle "$BUNDLE" --data "$DATA" --default-time $T --port 50061 \
  --admin-port 50062 --metrics-port 8161 > "$W/off.log" 2>&1 &
PIDS+=($!)
RANKER_STATE_STORE=memory taskset -c 0 $J serve --bundle "$BUNDLE" --data "$DATA" --default-time $T --port 50063 \
  --admin-port 50064 --metrics-port 8163 --log-dir "$W/serving-log" > "$W/on.log" 2>&1 &
PIDS+=($!)
wait_healthy "$W" 8161 8163
LT="taskset -c 1 $JAVA -Xmx1g -cp $BENCH_JAR dev.bannerranker.bench.LoadTest --candidates $CANDIDATES \
  --duration $DURATION --users $USERS --catalog $BUNDLE --placement home_carousel"
for run in $(seq "$RUNS"); do
  echo "run $run of $RUNS ..." >&2
  $LT --target localhost:50061 --compare-target localhost:50063 --json "$W/run-$run.json" > "$W/run-$run.log" 2>&1
done
# The log's own counters, from the logging service's /prometheus.
metric() { curl -sf localhost:8163/prometheus | awk -v m="$1" '{n = $1; sub(/[{].*/, "", n)} n == m {s += $2} END {print s + 0}'; }
WRITTEN=$(metric ranker_log_written_total); DROPPED=$(metric ranker_log_dropped_total)
jq -s --arg commit "$(git rev-parse --short HEAD)" --arg date "$(date -u +%F)" --argjson written "$WRITTEN" \
  --argjson dropped "$DROPPED" --argjson log_bytes "$(du -sb "$W/serving-log" | cut -f1)" '
  def median: sort | if length % 2 == 1 then .[length/2|floor] else (.[length/2-1] + .[length/2]) / 2 end;
  # compare_ratio is off / on; the logging service'"'"'s share is its inverse.
  [.[] | 1 / .compare_ratio] as $share |
  { date: $date, commit: $commit, runs: length, candidates: .[0].candidates,
    logging_share_of_off: {median: ($share | median), min: ($share | min), max: ($share | max)},
    rank_rps_off: ([.[] | .compare_rank_rps_target] | median), rank_rps_on: ([.[] | .compare_rank_rps_compare_target] | median),
    compare_errors: ([.[] | .compare_errors] | add), log_records_written: $written, log_records_dropped: $dropped,
    log_bytes: $log_bytes, goal_share_at_least_0_95: (($share | median) >= 0.95) }' "$W"/run-*.json > "$OUT"
cat "$OUT"
