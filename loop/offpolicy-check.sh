#!/usr/bin/env bash
# Off-policy estimates against the truth, with the simulator: serve bundle A with the SOFTMAX logging policy (its
# temperature --temperature, default 0.25) and the serving log, simulate D days, export the log, train two candidates
# on it (another seed; one epoch), estimate each off-policy (IPS, SNIPS, DR with 95 % intervals), then serve each
# candidate greedily to the same shoppers on the same days and measure its online top-slot CTR. Two truths: the
# candidate's true top-slot CTR on the logged contexts (what the estimators estimate, from the world's click model)
# and its online CTR (which also reflects the user states its own serving creates: fatigue, frequency caps). Prints
# whether each interval covers each, over every day and over the candidates' held-out days (their validation and
# test days, from the manifest's training.split.valid_start: no click there was fitted); writes offpolicy-check.json.
# Loopback only.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RANKER="$ROOT/bin/ranker"
scale=tiny days=3 shoppers="" port=50083 metrics_port=8095 train_options="" temperature=0.25
while [ $# -gt 0 ]; do
  case "$1" in
    --scale) scale="${2:-}"; shift 2 ;;
    --days) days="${2:-}"; shift 2 ;;
    --shoppers) shoppers="--shoppers=${2:-}"; shift 2 ;;
    --train-options) train_options="${2:-}"; shift 2 ;;
    --temperature) temperature="${2:-}"; shift 2 ;;
    --port) port="${2:-}"; shift 2 ;;
    --metrics-port) metrics_port="${2:-}"; shift 2 ;;
    -h|--help)
      cat <<USAGE
usage: loop/offpolicy-check.sh [--scale tiny|demo] [--days D] [--shoppers N] [--train-options "OPTS"]
                              [--temperature T] [--port P] [--metrics-port Q]

Serves bundle A (work/loop-tiny/bundle, or work/demo/bundle with --scale demo) with the SOFTMAX policy at
temperature T (default 0.25, the service's default; the demo world's check logs at 0.5, whose importance weights
have a light tail) and the serving log, simulates D days (default 3, 3 to 7: training needs a train, a validation
and a test day) of the world's shoppers (the first N, default all), exports the log, trains candidate "seed8" (train
--seed 8) and candidate "epochs1" (train --epochs 1) on it, estimates each off-policy (--history and --world: the
world), then serves each GREEDY from a fresh user state to the same shoppers on the same days and prints the
estimates against two truths: the true top-slot CTR of the candidate's choices on the logged requests (what the
estimators estimate) and its online top-slot CTR, over every day and again over the days from the candidates'
validation day on (held out from their fitting; offpolicy --since). The figures go to offpolicy-check.json as well.
--train-options adds train options to both candidates (e.g. smaller sizes for a quick run). Works in
work/offpolicy-check-<scale>; ports gRPC 50083 and metrics 8095 on 127.0.0.1.
USAGE
      exit 0 ;;
    *) echo "error: offpolicy-check.sh takes --scale, --days, --shoppers, --train-options, --temperature, --port," \
      "--metrics-port, got '$1'" >&2; exit 2 ;;
  esac
done
case "$days" in [3-7]) ;; *) echo "error: --days must be 3 to 7, got '$days'" >&2; exit 2 ;; esac
awk -v t="$temperature" 'BEGIN { exit !(t ~ /^[0-9]*\.?[0-9]+$/ && t + 0 > 0) }' \
  || { echo "error: --temperature must be a positive number, got '$temperature'" >&2; exit 2; }
# shellcheck source=loop/lib.sh
. "$ROOT/loop/lib.sh"
world_of_scale
fresh_run offpolicy-check

simulate() {
  "$RANKER" simulate --target "127.0.0.1:$port" --world "$data" --days "$days" $shoppers --duration 3600 \
    --json "$run/sim-$1.json" >&2
}
# value low high of ESTIMATOR's top-slot estimate in an offpolicy --json file
estimate() {
  tr -d ' \n' <"$1" | grep -o "\"estimates\":{.*" | grep -o "\"$2\":{[^}]*}" | head -1 \
    | sed 's/.*"value":\([-0-9.eE]*\),"ci_low":\([-0-9.eE]*\),"ci_high":\([-0-9.eE]*\).*/\1 \2 \3/'
}

echo "== logging: bundle A, SOFTMAX at temperature $temperature" >&2
RANKER_ORDERING_TEMPERATURE="$temperature" start_service logging SOFTMAX 0.1 "$bundle" --log-dir "$run/logs"
simulate logging
sleep 2 # the log is flushed every second
stop_service logging
"$RANKER" logs export --logs "$run/logs" --out "$run/export" >&2
# shellcheck disable=SC2086 # the options are words
"$RANKER" train --data "$run/export" --out "$run/seed8" --no-progress $train_options --seed 8 >&2
# shellcheck disable=SC2086
"$RANKER" train --data "$run/export" --out "$run/epochs1" --no-progress $train_options --epochs 1 >&2
# The candidates' validation and test days: trained on the days before, so the clicks judged there are not ones they
# were fitted to.
held_out="$(tr -d ' \n' <"$run/seed8/manifest.json" | grep -o '"valid_start":"[^"]*"' | cut -d'"' -f4)"
[ -n "$held_out" ] || { echo "error: no training.split.valid_start in $run/seed8/manifest.json" >&2; exit 1; }
for c in seed8 epochs1; do
  "$RANKER" offpolicy --logs "$run/logs" --bundle "$run/$c" --history "$data" --world "$data" \
    --json "$run/offpolicy-$c.json" --report "$run/offpolicy-$c" >&2
  "$RANKER" offpolicy --logs "$run/logs" --bundle "$run/$c" --history "$data" --world "$data" --since "$held_out" \
    --json "$run/offpolicy-$c-held-out.json" >/dev/null
  echo "== truth: $c, GREEDY" >&2
  start_service "$c" GREEDY 0.1 "$run/$c" --log-dir "$run/logs-$c"
  simulate "$c"
  stop_service "$c"
done

# compare SUFFIX: the candidates' estimates in offpolicy-<c>SUFFIX.json against the truths over the same days (the
# online CTR from the days in DAYS, top_slot_by_day's keys; all when DAYS is empty); sets summary to its JSON.
compare() {
  local suffix="$1" days_from="$2" c line covers_contexts covers_online estimates comma e v lo hi sep=""
  summary="{"
  for c in seed8 epochs1; do
    read -r online clicks imps online_true <<<"$(online_top "$run/sim-$c.json" "$days_from")"
    contexts="$(tr -d ' \n' <"$run/offpolicy-$c$suffix.json" | grep -o '"target_true_ctr":[-0-9.eE]*' | head -1 | cut -d: -f2)"
    line="$c | $(printf '%.5f' "$contexts") | $(printf '%.5f' "$online") ($clicks/$imps)"
    covers_contexts="" covers_online="" estimates="" comma=""
    for e in snips dr ips; do
      read -r v lo hi <<<"$(estimate "$run/offpolicy-$c$suffix.json" "$e")"
      line="$line | $(printf '%.5f [%.5f, %.5f]' "$v" "$lo" "$hi")"
      estimates="$estimates$comma\"$e\": {\"value\": $v, \"ci_low\": $lo, \"ci_high\": $hi}"
      comma=", "
      awk -v t="$contexts" -v lo="$lo" -v hi="$hi" 'BEGIN { exit !(lo <= t && t <= hi) }' \
        && covers_contexts="$covers_contexts $e"
      awk -v t="$online" -v lo="$lo" -v hi="$hi" 'BEGIN { exit !(lo <= t && t <= hi) }' && covers_online="$covers_online $e"
    done
    echo "$line |${covers_contexts:- none} |${covers_online:- none}"
    summary="$summary$sep\"$c\": {\"logged_contexts_true_ctr\": $contexts, \"online_top_slot_ctr\": $online,"
    summary="$summary \"online_top_slot_clicks\": $clicks, \"online_top_slot_impressions\": $imps,"
    summary="$summary \"online_top_slot_true_ctr\": $online_true, \"estimates\": {$estimates},"
    summary="$summary \"covering_logged_contexts_truth\": $(list "$covers_contexts"),"
    summary="$summary \"covering_online_ctr\": $(list "$covers_online")}"
    sep=", "
  done
  summary="$summary}"
}
list() { local out="" x; for x in $1; do out="$out${out:+, }\"$x\""; done; printf '[%s]' "$out"; }
# "ctr clicks impressions mean_true_ctr" of the top slot in a simulate --json file: every day, or the days from
# FROM (YYYY-MM-DD) on
online_top() {
  if [ -z "$2" ]; then
    tr -d ' \n' <"$1" | grep -o '"by_slot":{"1":{[^}]*}' \
      | sed 's/.*"impressions":\([0-9]*\),"clicks":\([0-9]*\),"ctr":\([-0-9.eE]*\),"mean_true_ctr":\([-0-9.eE]*\).*/\3 \2 \1 \4/'
    return
  fi
  tr -d ' \n' <"$1" | grep -o '"top_slot_by_day":{.*' | grep -o '"[0-9-]*":{"impressions":[^}]*}' \
    | sed 's/"\([0-9-]*\)":{"impressions":\([0-9]*\),"clicks":\([0-9]*\),"ctr":[-0-9.eE]*,"mean_true_ctr":\([-0-9.eE]*\).*/\1 \2 \3 \4/' \
    | awk -v from="$2" '$1 >= from { n += $2; c += $3; t += $2 * $4 }
        END { if (n == 0) { print "0 0 0 0" } else { printf "%.10f %d %d %.10f\n", c / n, c, n, t / n } }'
}

logged="$(tr -d ' \n' <"$run/offpolicy-seed8.json" | grep -o '"observed_ctr":[-0-9.eE]*' | head -1 | cut -d: -f2)"
echo "logging policy (A, SOFTMAX at temperature $temperature) top-slot CTR: $logged"
header="candidate | true CTR on the logged contexts | online top-slot CTR (clicks/impressions) | SNIPS [95 %] | DR [95 %] | IPS [95 %] | covering the logged-contexts truth | covering the online CTR"
echo "every day: $header"
compare "" ""
every="$summary"
logged_held_out="$(tr -d ' \n' <"$run/offpolicy-seed8-held-out.json" | grep -o '"observed_ctr":[-0-9.eE]*' | head -1 | cut -d: -f2)"
logged_truth_held_out="$(tr -d ' \n' <"$run/offpolicy-seed8-held-out.json" | grep -o '"logging_true_ctr":[-0-9.eE]*' | head -1 | cut -d: -f2)"
echo "held-out days from $held_out (the candidates' validation and test days): logging policy top-slot CTR" \
  "$logged_held_out (true $logged_truth_held_out); $header"
compare "-held-out" "${held_out:0:10}"
held="$summary"
summary="{\"logging_temperature\": $temperature, \"logging_policy_top_slot_ctr\": $logged, \"candidates\": $every,"
summary="$summary \"held_out\": {\"since\": \"$held_out\", \"logging_policy_top_slot_ctr\": $logged_held_out,"
summary="$summary \"logging_policy_logged_contexts_true_ctr\": $logged_truth_held_out, \"candidates\": $held"
printf '%s}}\n' "$summary" >"$run/offpolicy-check.json"
echo "per position (position-based click model): candidate position | online CTR | SNIPS [95 %] | DR [95 %]"
for c in seed8 epochs1; do
  for k in 1 2 3 4; do
    cell="$(tr -d ' \n' <"$run/sim-$c.json" | grep -o "\"by_slot\":{.*" | grep -o "\"$k\":{[^}]*}" | head -1 \
      | sed 's/.*"impressions":\([0-9]*\),"clicks":\([0-9]*\),"ctr":\([-0-9.eE]*\).*/\3/')"
    pos="$(tr -d ' \n' <"$run/offpolicy-$c.json" | grep -o "\"position\":$k,.*" | head -1)"
    [ -n "$cell" ] && [ -n "$pos" ] || continue
    snips="$(printf '%s' "$pos" | grep -o '"snips":{[^}]*}' | head -1 | sed 's/.*"value":\([^,]*\),"ci_low":\([^,]*\),"ci_high":\([^,]*\).*/\1 \2 \3/')"
    dr="$(printf '%s' "$pos" | grep -o '"dr":{[^}]*}' | head -1 | sed 's/.*"value":\([^,]*\),"ci_low":\([^,]*\),"ci_high":\([^,]*\).*/\1 \2 \3/')"
    # shellcheck disable=SC2086
    printf '%s %d | %.5f | %.5f [%.5f, %.5f] | %.5f [%.5f, %.5f]\n' "$c" "$k" "$cell" $snips $dr
  done
done
