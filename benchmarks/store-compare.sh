#!/usr/bin/env bash
# Rank throughput by user store: the memory store (target) against RocksDB and Redis (compare targets) in alternating
# one-second slices (ABBA), services and Redis on core 0, the load generator on core 1; RUNS runs (default 5), then
# each store alone at 70 % of its own maximum for the p99. Writes benchmarks/results/store-compare.json with medians
# and spread.
#
#   benchmarks/store-compare.sh                                  # the benchmark model (demo world), 200 candidates
#   DATA=/tmp/tiny/data BUNDLE=/tmp/tiny/bundle CANDIDATES=77 RUNS=3 benchmarks/store-compare.sh
#
# Needs 2 cores, nothing else running, redis-server and jq on the PATH, the serving and benchmarks jars.
set -euo pipefail
# shellcheck source=benchmarks/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
RUNS=${RUNS:-5}; DURATION=${DURATION:-4}; CANDIDATES=${CANDIDATES:-200}; USERS=${USERS:-2000}
W=benchmarks/target/store-compare; T=2026-03-15T12:00:00Z
OUT=benchmarks/results/store-compare.json
command -v redis-server >/dev/null || { echo "error: needs redis-server (apt-get install redis-server)" >&2; exit 2; }
needs jq
build_jars
if [ -z "${DATA:-}" ]; then
  "$JAVA" -Xmx3g -Djava.awt.headless=true -cp "$BENCH_JAR" dev.bannerranker.bench.BenchModel
  DATA=benchmarks/target/bench-model/data; BUNDLE=benchmarks/target/bench-model/bundle
fi
rm -rf "$W"; mkdir -p "$W/redis" benchmarks/results
J="$JAVA -Xmx1g --add-modules jdk.incubator.vector -jar $SERVING_JAR"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  redis-cli -p 16390 shutdown nosave >/dev/null 2>&1 || true
}
trap cleanup EXIT
(cd "$W/redis" && exec taskset -c 0 redis-server --port 16390 --bind 127.0.0.1 --save '' --appendonly yes \
  --appendfsync everysec > ../redis.log 2>&1) &
for _ in $(seq 30); do redis-cli -p 16390 ping >/dev/null 2>&1 && break; sleep 0.5; done
# The durable stores are filled by `import` first (its waits are long enough for a loaded machine); the memory
# store imports at start.
echo "importing $DATA into RocksDB and Redis ..." >&2
$J import --data "$DATA" --state-dir "$W/state-rocks" > "$W/import-rocks.log" 2>&1
$J import --data "$DATA" --redis redis://127.0.0.1:16390 > "$W/import-redis.log" 2>&1
RANKER_STATE_STORE=memory taskset -c 0 $J serve --bundle "$BUNDLE" --data "$DATA" --default-time $T --port 50071 \
  --admin-port 50081 --metrics-port 8171 > "$W/mem.log" 2>&1 &
PIDS+=($!)
taskset -c 0 $J serve --bundle "$BUNDLE" --default-time $T --port 50072 --admin-port 50082 --metrics-port 8172 \
  --state-dir "$W/state-rocks" > "$W/rocks.log" 2>&1 &
PIDS+=($!)
taskset -c 0 $J serve --bundle "$BUNDLE" --default-time $T --port 50073 --admin-port 50083 --metrics-port 8173 \
  --redis redis://127.0.0.1:16390 > "$W/redis-serve.log" 2>&1 &
PIDS+=($!)
wait_healthy "$W" 8171 8172 8173
LT="taskset -c 1 $JAVA -Xmx1g -cp $BENCH_JAR dev.bannerranker.bench.LoadTest --candidates $CANDIDATES \
  --duration $DURATION --users $USERS --catalog $BUNDLE --placement home_carousel"
for run in $(seq "$RUNS"); do
  echo "run $run of $RUNS ..." >&2
  $LT --target localhost:50071 --compare-target localhost:50072 --json "$W/rocks-$run.json" > "$W/rocks-$run.log" 2>&1
  $LT --target localhost:50071 --compare-target localhost:50073 --json "$W/redis-$run.json" > "$W/redis-$run.log" 2>&1
done
# Each store alone: its maximum and the p99 at 70 % of it.
for s in mem:50071 rocks:50072 redis:50073; do
  $LT --target "localhost:${s#*:}" --json "$W/alone-${s%%:*}.json" > "$W/alone-${s%%:*}.log" 2>&1
done
jq -n --arg commit "$(git rev-parse --short HEAD)" --arg date "$(date -u +%F)" --argjson runs "$RUNS" \
  --arg candidates "$CANDIDATES" \
  --slurpfile rocks <(cat "$W"/rocks-*.json) --slurpfile redis <(cat "$W"/redis-*.json) \
  --slurpfile mem "$W/alone-mem.json" --slurpfile rocksAlone "$W/alone-rocks.json" \
  --slurpfile redisAlone "$W/alone-redis.json" '
  def median: sort | if length % 2 == 1 then .[length/2|floor] else (.[length/2-1] + .[length/2]) / 2 end;
  # compare_ratio is memory / other; the share of the memory store is its inverse.
  def share: [.[] | 1 / .compare_ratio] | {median: median, min: min, max: max};
  def alone: .[0] | {rank_max_rps, rank_p50_ms_at_70pct, rank_p99_ms_at_70pct, errors};
  { date: $date, commit: $commit, runs: $runs, candidates: ($candidates | tonumber),
    rocksdb_share_of_memory: ($rocks | share), redis_share_of_memory: ($redis | share),
    compare_errors: ([$rocks[], $redis[] | .compare_errors] | add),
    alone: { memory: ($mem | alone), rocksdb: ($rocksAlone | alone), redis: ($redisAlone | alone) } }' > "$OUT"
cat "$OUT"
