#!/usr/bin/env bash
# Scoring benchmarks in one run: ScoringBenchmark (project, onnxruntime, dl4j, scalar × 50, 200, 1000 candidates ×
# sequence attention off and on; dl4j has no attention, so its three trials with it fail at setup),
# PipelineBenchmark (the service's whole RankingService.rank against ScoringModel.predict alone),
# KernelBenchmark (the matrix work alone) and the peak-FMA probes; then the table with medians and ratios.
#
#   benchmarks/run-scoring.sh                # about 9 minutes on 2 cores; results in benchmarks/results/
#   benchmarks/run-scoring.sh -p candidates=200   # extra arguments go to JMH
#
# Builds the jar if it is missing, and the benchmark model (demo world + 1-epoch bundle, cached in
# benchmarks/target/bench-model) if it is missing or stale.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
JAR=benchmarks/target/banner-ranker-benchmarks.jar
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
# DL4J runs several times slower with more than one OpenMP thread on small machines; the forks inherit this.
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"

if [ ! -f "$JAR" ]; then
  echo "building $JAR ..." >&2
  ./mvnw -q -B -DskipTests -pl benchmarks -am package >&2
fi
mkdir -p benchmarks/results
"$JAVA" -Xmx3g -Djava.awt.headless=true -cp "$JAR" dev.bannerranker.bench.BenchModel
"$JAVA" -jar "$JAR" 'dev\.bannerranker\.bench\.(ScoringBenchmark|KernelBenchmark|PipelineBenchmark|PeakFma.*)\.' \
  -f 1 -wi 3 -i 5 -w 1s -r 1s -rf json -rff benchmarks/results/scoring.json "$@" | tee benchmarks/target/scoring.log
"$JAVA" -cp "$JAR" dev.bannerranker.bench.Report benchmarks/results/scoring.json --out benchmarks/results/scoring.md
