#!/usr/bin/env bash
# The cost in click-through of the exploring ordering policies, measured with the simulator: one bundle served in
# turn with GREEDY, EPSILON_GREEDY (epsilon 0.1 and 0.05) and SOFTMAX (its default temperature) to the same shoppers,
# on the same simulated days, with the same click seed and the same starting user state. Loopback only.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RANKER="$ROOT/bin/ranker"
scale=tiny days=3 shoppers="" seed=0 port=50081 metrics_port=8093
while [ $# -gt 0 ]; do
  case "$1" in
    --scale) scale="${2:-}"; shift 2 ;;
    --days) days="${2:-}"; shift 2 ;;
    --shoppers) shoppers="--shoppers=${2:-}"; shift 2 ;;
    --seed) seed="${2:-}"; shift 2 ;;
    --port) port="${2:-}"; shift 2 ;;
    --metrics-port) metrics_port="${2:-}"; shift 2 ;;
    -h|--help)
      cat <<USAGE
usage: loop/exploration-cost.sh [--scale tiny|demo] [--days D] [--shoppers N] [--seed S] [--port P] [--metrics-port Q]

Serves one bundle four times (GREEDY, EPSILON_GREEDY 0.1, EPSILON_GREEDY 0.05, SOFTMAX), each from a fresh user
state, simulates D days (default 3) of the world's shoppers (the first N, default all) against it with click seed S
(default 0, the world's own draws), and prints the top-slot and overall online CTR of each with 95 % intervals.
--scale tiny (default) uses work/loop-tiny (made when absent), demo uses work/demo (bin/ranker demo --no-serve).
Works in work/exploration-<scale>; writes exploration-cost.tsv there. Ports: gRPC 50081, metrics 8093 on 127.0.0.1.
USAGE
      exit 0 ;;
    *) echo "error: exploration-cost.sh takes --scale, --days, --shoppers, --seed, --port, --metrics-port, got '$1'" >&2
      exit 2 ;;
  esac
done
case "$days" in [1-7]) ;; *) echo "error: --days must be 1 to 7, got '$days'" >&2; exit 2 ;; esac
# shellcheck source=loop/lib.sh
. "$ROOT/loop/lib.sh"
world_of_scale
fresh_run exploration

# "impressions clicks ctr mean_true_ctr" of the object at KEY (a flattened-JSON prefix) in a simulate --json file
cell() {
  tr -d ' \n' <"$1" | grep -o "$2{[^}]*}" | head -1 | sed 's/.*"impressions":\([0-9]*\),"clicks":\([0-9]*\),"ctr":\([-0-9.eE]*\),"mean_true_ctr":\([-0-9.eE]*\).*/\1 \2 \3 \4/'
}
# CTR with the 95 % binomial interval of the click draws: ctr [low, high]
ci() {
  awk -v n="$1" -v c="$2" 'BEGIN { p = n ? c / n : 0; h = n ? 1.96 * sqrt(p * (1 - p) / n) : 0;
    printf "%.5f [%.5f, %.5f]", p, p - h, p + h }'
}

printf 'policy\ttop_impressions\ttop_clicks\ttop_ctr\ttop_true_ctr\timpressions\tclicks\tctr\ttrue_ctr\n' >"$run/exploration-cost.tsv"
for spec in GREEDY:0.1 EPSILON_GREEDY:0.1 EPSILON_GREEDY:0.05 SOFTMAX:0.1; do
  policy="${spec%%:*}" epsilon="${spec#*:}"
  name="$policy"; [ "$policy" = EPSILON_GREEDY ] && name="EPSILON_GREEDY-$epsilon"
  start_service "$name" "$policy" "$epsilon" "$bundle"
  echo "== $name" >&2
  "$RANKER" simulate --target "127.0.0.1:$port" --world "$data" --days "$days" $shoppers --seed "$seed" \
    --duration 3600 --json "$run/sim-$name.json" >&2
  stop_service "$name"
  read -r tn tc _ tt <<<"$(cell "$run/sim-$name.json" '"by_slot":{"1":')"
  read -r an ac _ at <<<"$(cell "$run/sim-$name.json" '"all":')"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$tn" "$tc" "$(awk -v n="$tn" -v c="$tc" 'BEGIN{printf "%.5f", c/n}')" \
    "$tt" "$an" "$ac" "$(awk -v n="$an" -v c="$ac" 'BEGIN{printf "%.5f", c/n}')" "$at" >>"$run/exploration-cost.tsv"
done

echo "policy | top-slot CTR [95 %] | top-slot true CTR | overall CTR [95 %] | overall true CTR"
tail -n +2 "$run/exploration-cost.tsv" | while IFS=$'\t' read -r name tn tc _ tt an ac _ at; do
  printf '%s | %s | %.5f | %s | %.5f\n' "$name" "$(ci "$tn" "$tc")" "$tt" "$(ci "$an" "$ac")" "$at"
done
echo "(intervals: the binomial noise of the click draws; true CTR: the mean of the world's click probabilities of what was shown)"
