#!/usr/bin/env bash
# item2vec training speed and quality: the trainer's DL4J item2vec against the original C word2vec, on the exact
# corpus `train` builds from the demo world, with the same settings and one thread each.
#
#   benchmarks/word2vec/run.sh          # about 3 minutes; writes benchmarks/results/item2vec.json
#
# Needs npm, make and a C compiler (Debian: apt-get install npm make gcc). The C tool is the word2vec.c that the
# npm package word2vec@1.1.5 ships as source; it is fetched with `npm pack` and built with its own makefile into
# benchmarks/target/word2vec.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
JAR=benchmarks/target/banner-ranker-benchmarks.jar
WORK=benchmarks/target/word2vec
DATA="$WORK/demo"
W2V="$WORK/word2vec-1.1.5"
C_RUNS="${C_RUNS:-3}"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"

if [ ! -f "$JAR" ]; then
  echo "building $JAR ..." >&2
  ./mvnw -q -B -DskipTests -pl benchmarks -am package >&2
fi
mkdir -p "$WORK" benchmarks/results

# 1. the demo world, as `bin/ranker demo` makes it
if [ ! -f "$DATA/impressions.csv" ]; then
  bin/ranker generate --out "$DATA" --scale demo --seed 42 --no-progress --force
fi

# 2. the item2vec corpus train uses (SessionBuilder before the test day), one sentence per line
"$JAVA" -Xmx3g -cp "$JAR" dev.bannerranker.bench.Item2VecCompare corpus --data "$DATA" --out "$WORK/corpus.txt"

# 3. the C tool
if [ ! -x "$W2V/src/word2vec" ]; then
  command -v npm >/dev/null || { echo "error: npm is needed to fetch word2vec@1.1.5 (apt-get install npm)" >&2; exit 1; }
  rm -rf "$W2V" && mkdir -p "$W2V"
  tgz=$(cd "$WORK" && npm pack word2vec@1.1.5 --silent | tail -1)
  tar xzf "$WORK/$tgz" -C "$W2V" --strip-components=1
  make -s -C "$W2V/src" word2vec
fi

# 4. C word2vec, timed as a whole process (median of C_RUNS runs; one thread, so the runs are identical)
read -r -a FLAGS <<< "$("$JAVA" -cp "$JAR" dev.bannerranker.bench.Item2VecCompare settings)"
echo "C word2vec flags: ${FLAGS[*]}"
times=()
for i in $(seq "$C_RUNS"); do
  t0=$(date +%s.%N)
  "$W2V/src/word2vec" -train "$WORK/corpus.txt" -output "$WORK/c-vectors.txt" "${FLAGS[@]}" > "$WORK/c-run.log" 2>&1
  t1=$(date +%s.%N)
  times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')")
  echo "C word2vec run $i: ${times[-1]} s"
done
median=$(printf '%s\n' "${times[@]}" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')

# 5. DL4J on the same sentences, and same-category precision@10 of both
"$JAVA" -Xmx3g -Djava.awt.headless=true -cp "$JAR" dev.bannerranker.bench.Item2VecCompare compare --data "$DATA" \
  --corpus "$WORK/corpus.txt" --c-vectors "$WORK/c-vectors.txt" --c-seconds "$median" --dl4j-runs 2 \
  --out benchmarks/results/item2vec.json
