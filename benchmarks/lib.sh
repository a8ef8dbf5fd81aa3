# Shared by the pinned benchmark scripts (source it after `set -euo pipefail`): the project root as the working
# directory, the JVM, one OpenMP thread, the serving and benchmarks jars built from the current sources (SKIP_BUILD=1
# uses them as they are, when present), and the commands they need.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
# DL4J runs several times slower with more than one OpenMP thread on small machines.
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
BENCH_JAR=benchmarks/target/banner-ranker-benchmarks.jar
SERVING_JAR=serving/target/banner-ranker-serving.jar

# needs COMMAND...: exits 2 naming the first command missing from the PATH.
needs() {
  for c in "$@"; do
    command -v "$c" >/dev/null || { echo "error: needs $c" >&2; exit 2; }
  done
}

# needs_two_cores: the service and the load generator each get a core (nproc would count OMP_NUM_THREADS).
needs_two_cores() {
  [ "$(nproc --all)" -ge 2 ] || { echo "error: needs 2 cores, this machine has $(nproc --all)" >&2; exit 2; }
}

# build_jars: the jars from the current sources, so the figures belong to this commit.
build_jars() {
  if [ "${SKIP_BUILD:-0}" != 1 ] || [ ! -f "$BENCH_JAR" ] || [ ! -f "$SERVING_JAR" ]; then
    echo "building the jars ..." >&2
    ./mvnw -q -B -DskipTests -pl benchmarks,serving -am package >&2
  fi
}

# wait_healthy LOGDIR METRICS_PORT...: waits up to 3 minutes for each service's /health; exits 1 naming the one
# that did not start.
wait_healthy() {
  local logs=$1; shift
  for p in "$@"; do
    for _ in $(seq 180); do curl -sf "localhost:$p/health" >/dev/null && break; sleep 1; done
    curl -sf "localhost:$p/health" >/dev/null || { echo "error: the service on $p did not start, see $logs" >&2; exit 1; }
  done
}
