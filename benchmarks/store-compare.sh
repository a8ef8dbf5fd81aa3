#!/usr/bin/env bash
# Rank throughput: memory store (target) against rocksdb and redis (compare targets), ABBA slices, pinned cores.
# Needs a tiny world and its bundle in $BENCH_DIR/data and $BENCH_DIR/bundle (bin/ranker generate --scale tiny, train),
# the serving and benchmarks jars built, and redis-server on the PATH. Writes mem-vs-rocks.json and mem-vs-redis.json there.
set -u
cd "$(dirname "$0")/.."
B=${BENCH_DIR:-/tmp/bench}; T=2026-03-15T12:00:00Z
J="java -Xmx1g --add-modules jdk.incubator.vector -jar serving/target/banner-ranker-serving.jar"
rm -rf $B/state-rocks $B/redis; mkdir -p $B/redis
(cd $B/redis && taskset -c 0 redis-server --port 16390 --bind 127.0.0.1 --save '' --appendonly yes --appendfsync everysec --daemonize no > $B/redis.log 2>&1 &)
sleep 1
RANKER_STATE_STORE=memory taskset -c 0 $J serve --bundle $B/bundle --data $B/data --default-time $T --port 50071 --admin-port 50081 --metrics-port 8171 > $B/mem.log 2>&1 &
P1=$!
taskset -c 0 $J serve --bundle $B/bundle --data $B/data --default-time $T --port 50072 --admin-port 50082 --metrics-port 8172 --state-dir $B/state-rocks > $B/rocks.log 2>&1 &
P2=$!
taskset -c 0 $J serve --bundle $B/bundle --data $B/data --default-time $T --port 50073 --admin-port 50083 --metrics-port 8173 --redis redis://127.0.0.1:16390 > $B/redis-serve.log 2>&1 &
P3=$!
for p in 8171 8172 8173; do for i in $(seq 60); do curl -sf localhost:$p/health >/dev/null && break; sleep 1; done; done
LT="taskset -c 1 java -Xmx1g -cp benchmarks/target/banner-ranker-benchmarks.jar dev.bannerranker.bench.LoadTest --candidates 77 --duration 10 --users 400 --catalog $B/bundle --placement home_carousel"
$LT --target localhost:50071 --compare-target localhost:50072 --json $B/mem-vs-rocks.json > $B/lt1.log 2>&1
$LT --target localhost:50071 --compare-target localhost:50073 --json $B/mem-vs-redis.json > $B/lt2.log 2>&1
kill $P1 $P2 $P3; sleep 2; redis-cli -p 16390 shutdown nosave >/dev/null 2>&1
grep -h '"compare' $B/mem-vs-rocks.json $B/mem-vs-redis.json
