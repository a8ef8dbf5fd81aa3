#!/usr/bin/env bash
# The service's collector under a fixed Rank rate: the service on core 0 with a GC log, the load generator on core 1
# (taskset, as benchmarks/pinned-loadtest.sh), an open loop at RATE calls/s for DURATION s after the warm-up, then
# GcLogSummary over the measured seconds: young pauses (count per 10 s, median, p99, max, interval), the young
# generation after each, and the bytes allocated per Rank. Pause lengths and bytes do not depend on how busy the rest
# of the machine is as much as latencies do, so runs with different JVM flags compare on a shared machine.
#
#   benchmarks/gc-loadtest.sh                                   # the service's defaults, 3,000 Ranks/s
#   SERVICE_JAVA_OPTS='-XX:+UseParallelGC' RATE=2000 benchmarks/gc-loadtest.sh
#
# Writes benchmarks/target/gc-loadtest/{gc.log,loadtest.json,summary.json} (OUT to change the directory).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
RATE=${RATE:-3000}; DURATION=${DURATION:-20}; CANDIDATES=${CANDIDATES:-200}; USERS=${USERS:-5000}
PORT=${PORT:-50093}; METRICS_PORT=${METRICS_PORT:-8193}; ADMIN_PORT=${ADMIN_PORT:-50094}
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
JCMD="${JAVA_HOME:+$JAVA_HOME/bin/}jcmd"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
BENCH_JAR=${BENCH_JAR:-benchmarks/target/banner-ranker-benchmarks.jar}
SERVING_JAR=${SERVING_JAR:-serving/target/banner-ranker-serving.jar}
WORK=${OUT:-benchmarks/target/gc-loadtest}
[ "$(nproc --all)" -ge 2 ] || { echo "error: needs 2 cores, this machine has $(nproc --all)" >&2; exit 2; }
if [ "${SKIP_BUILD:-0}" != 1 ] || [ ! -f "$BENCH_JAR" ] || [ ! -f "$SERVING_JAR" ]; then
  echo "building the jars ..." >&2
  ./mvnw -q -B -DskipTests -pl benchmarks,serving -am package >&2
fi
rm -rf "$WORK"; mkdir -p "$WORK"
# MODEL: a benchmark model made before (its bundle and data), else BenchModel's cache.
if [ -z "${MODEL:-}" ]; then
  "$JAVA" -Xmx3g -Djava.awt.headless=true -cp "$BENCH_JAR" dev.bannerranker.bench.BenchModel
  MODEL=benchmarks/target/bench-model
fi

# The service's JVM flags as bin/ranker serve gives them, then SERVICE_JAVA_OPTS (a later flag wins).
SERVE_JAVA_FLAGS=$(sed -n 's/^SERVE_JAVA_FLAGS="\(.*\)"$/\1/p' bin/ranker)
# shellcheck disable=SC2086
RANKER_STATE_STORE=memory taskset -c 0 "$JAVA" -Xmx1g $SERVE_JAVA_FLAGS ${SERVICE_JAVA_OPTS:-} \
  "-Xlog:gc*,gc+phases=debug,gc+age=trace:file=$WORK/gc.log" --add-modules jdk.incubator.vector \
  -jar "$SERVING_JAR" serve --bundle "$MODEL/bundle" --data "$MODEL/data" --default-time 2026-03-15T12:00:00Z \
  --port "$PORT" --metrics-port "$METRICS_PORT" --admin-port "$ADMIN_PORT" > "$WORK/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 120); do curl -sf "localhost:$METRICS_PORT/health" >/dev/null && break; sleep 1; done
curl -sf "localhost:$METRICS_PORT/health" >/dev/null || { echo "error: the service did not start, see $WORK/serve.log" >&2; exit 1; }

taskset -c 1 "$JAVA" -Xmx1g -cp "$BENCH_JAR" dev.bannerranker.bench.LoadTest --target "localhost:$PORT" \
  --candidates "$CANDIDATES" --duration "$DURATION" --rate "$RATE" --users "$USERS" --catalog "$MODEL/bundle" \
  --json "$WORK/loadtest.json" > "$WORK/loadtest.log" 2>&1
# The measured seconds end now, in the service's uptime (the GC log's clock).
UPTIME=$("$JCMD" "$SERVER" VM.uptime | awk '/s$/ { sub(/ s$/, ""); print $1 }' | tail -1)
kill $SERVER; wait $SERVER 2>/dev/null || true
ACHIEVED=$(jq '.rank_achieved_rps_at_rate' "$WORK/loadtest.json")
"$JAVA" -cp "$BENCH_JAR" dev.bannerranker.bench.GcLogSummary "$WORK/gc.log" \
  --from "$(echo "$UPTIME - $DURATION" | bc)" --to "$UPTIME" \
  --requests "$(echo "$ACHIEVED * $DURATION / 1" | bc)" --json "$WORK/summary.json"
jq -c '{rate: .rank_rate, achieved: .rank_achieved_rps_at_rate, p50_ms: .rank_p50_ms_at_rate,
  p99_ms: .rank_p99_ms_at_rate, errors, sender_late_ms: .sender_max_lag_ms_at_rate}' "$WORK/loadtest.json"
