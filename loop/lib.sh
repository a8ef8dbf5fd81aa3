# Shared by loop/exploration-cost.sh and loop/offpolicy-check.sh (sourced): the world, the jars, and a service on
# loopback started and stopped by process id. Uses the callers' ROOT, RANKER, scale, run, port and metrics_port.

# Sets data and bundle for --scale tiny (work/loop-tiny, made when absent) or demo (work/demo).
world_of_scale() {
  case "$scale" in
    demo) data="$ROOT/work/demo/data"; bundle="$ROOT/work/demo/bundle"
      [ -f "$bundle/manifest.json" ] || { echo "error: no demo bundle in $bundle; run bin/ranker demo --no-serve" >&2; exit 1; } ;;
    tiny) data="$ROOT/work/loop-tiny/data"; bundle="$ROOT/work/loop-tiny/bundle"
      [ -f "$data/impressions.csv" ] || "$RANKER" generate --out "$data" --scale tiny --seed 42 --force
      [ -f "$bundle/manifest.json" ] || "$RANKER" train --data "$data" --out "$bundle" ;;
    *) echo "error: --scale must be tiny or demo, got '$scale'" >&2; exit 2 ;;
  esac
  if curl -sf "http://127.0.0.1:$metrics_port/health" >/dev/null 2>&1; then
    echo "error: a service already answers on 127.0.0.1:$metrics_port; give --port and --metrics-port" >&2
    exit 1
  fi
  # the jars first, so that a build is not taken for a slow start
  "$RANKER" serve --help >/dev/null
  "$RANKER" simulate --help >/dev/null
  "$RANKER" offpolicy --help >/dev/null
  SERVICE_PID=""
  trap '[ -n "$SERVICE_PID" ] && kill "$SERVICE_PID" 2>/dev/null; wait 2>/dev/null || true' EXIT
}

# fresh_run NAME: run = work/NAME-<scale>, emptied.
fresh_run() {
  run="$ROOT/work/$1-$scale"
  rm -rf "$run"
  mkdir -p "$run"
}

# start_service NAME POLICY EPSILON BUNDLE [serve options]: serves BUNDLE from a fresh user state with the ordering
# policy (draws seeded), in the background, and waits until it answers.
start_service() {
  local name="$1" policy="$2" epsilon="$3" b="$4"; shift 4
  GRPC_SERVER_HOST=127.0.0.1 MICRONAUT_SERVER_HOST=127.0.0.1 RANKER_ORDERING_POLICY="$policy" \
    RANKER_ORDERING_EPSILON="$epsilon" RANKER_ORDERING_SEED=11 \
    "$RANKER" serve --bundle "$b" --data "$data" --state-dir "$run/state-$name" --port "$port" \
    --admin-port 0 --metrics-port "$metrics_port" "$@" >"$run/serve-$name.log" 2>&1 &
  SERVICE_PID=$!
  local i
  for i in $(seq 1 600); do
    kill -0 "$SERVICE_PID" 2>/dev/null || { echo "error: the service stopped; see $run/serve-$name.log" >&2; exit 1; }
    curl -sf "http://127.0.0.1:$metrics_port/health" >/dev/null 2>&1 && return 0
    sleep 1
  done
  echo "error: the service is not up; see $run/serve-$name.log" >&2
  exit 1
}

# stop_service NAME: stops the service and deletes its user state.
stop_service() {
  kill "$SERVICE_PID"
  wait "$SERVICE_PID" 2>/dev/null || true
  SERVICE_PID=""
  rm -rf "$run/state-$1"
}
