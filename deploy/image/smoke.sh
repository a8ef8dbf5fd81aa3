#!/usr/bin/env bash
# Runs the service image without Docker and checks it serves: unpacks the image tarball's layers into a root
# directory, reads the image configuration (entrypoint, arguments, user, environment, working directory, ports,
# volumes) and starts the entrypoint as the image's user in private mount, PID, UTS and network namespaces, with a
# models root bind-mounted read-only at /models and a fresh volume at /state (the owner and mode of the image's
# /state, as Docker makes a new volume), as a container runtime would. Then, over the namespace's loopback:
# grpc.health.v1 SERVING, HTTP /health and /prometheus, a Rank with the project's own client (`rank`, from the
# image's classes), the JIT compiler threads at a lower priority, and a SIGTERM drain. Prints the time to SERVING.
#
# usage: sudo deploy/image/smoke.sh [--image TAR] [--models DIR] [--data DIR] [--timeout S]
#   --image TAR    the image (default serving/target/jib-image.tar; a `docker save` or an OCI layout archive)
#   --models DIR   a models root (DIR/<version>/) to serve; default: a tiny world trained into a temporary one
#   --data DIR     a world to import into the state volume first, so that Rank personalizes (by default the store
#                  starts empty and the ranked shopper is new: the popularity order)
#   --timeout S    how long to wait for SERVING (default 180)
# Needs root (chroot, mounts), util-linux (unshare, nsenter), iproute2, jq, curl, python3 and a JDK 17 for the
# clients. Leaves nothing behind: the namespaces end with the service, the temporary directory is removed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
IMAGE="$ROOT/serving/target/jib-image.tar"
MODELS=""
DATA=""
TIMEOUT=180
while [ $# -gt 0 ]; do
  case "$1" in
    --image) IMAGE="$2"; shift 2 ;;
    --models) MODELS="$2"; shift 2 ;;
    --data) DATA="$2"; shift 2 ;;
    --timeout) TIMEOUT="$2"; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "error: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" = 0 ] || { echo "error: needs root (chroot and mounts); run it with sudo" >&2; exit 1; }
[ -f "$IMAGE" ] || { echo "error: no image $IMAGE; build it with jib:buildTar (docs/operations.md#deploy)" >&2; exit 1; }
for tool in unshare nsenter ip jq curl python3 java; do
  command -v "$tool" >/dev/null || { echo "error: $tool is not on PATH" >&2; exit 1; }
done
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"

TMP="$(mktemp -d /tmp/ranker-image-smoke.XXXXXX)"
NS_PID=""
cleanup() {
  # The service is the PID namespace's first process: killing it ends everything in the namespaces, and the mounts
  # go with the mount namespace. unshare itself then exits.
  if [ -n "$NS_PID" ] && kill -0 "$NS_PID" 2>/dev/null; then
    local child
    for child in $(ps --ppid "$NS_PID" -o pid= 2>/dev/null); do kill -KILL "$child" 2>/dev/null || true; done
    wait "$NS_PID" 2>/dev/null || true
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; [ -f "$TMP/service.log" ] && tail -n 40 "$TMP/service.log" >&2; exit 1; }

# --- the image: manifest, configuration, layers -------------------------------------------------------------------
mkdir -p "$TMP/image" "$TMP/rootfs"
# Jib's layers carry pax keywords GNU tar does not know (LIBARCHIVE.creationtime); they change nothing here.
TAR=(tar --warning=no-unknown-keyword)
"${TAR[@]}" -xf "$IMAGE" -C "$TMP/image"
if [ -f "$TMP/image/manifest.json" ]; then
  FORMAT="docker save"
  CONFIG="$TMP/image/$(jq -r '.[0].Config' "$TMP/image/manifest.json")"
  mapfile -t LAYERS < <(jq -r '.[0].Layers[]' "$TMP/image/manifest.json" | sed "s|^|$TMP/image/|")
elif [ -f "$TMP/image/index.json" ]; then
  FORMAT="OCI layout"
  blob() { echo "$TMP/image/blobs/${1/://}"; }
  MANIFEST="$(blob "$(jq -r '.manifests[0].digest' "$TMP/image/index.json")")"
  CONFIG="$(blob "$(jq -r '.config.digest' "$MANIFEST")")"
  mapfile -t LAYERS < <(jq -r '.layers[].digest' "$MANIFEST" | while read -r d; do blob "$d"; done)
else
  fail "$IMAGE has neither manifest.json nor index.json"
fi
for layer in "${LAYERS[@]}"; do
  # Jib and build-base.sh write no deletions; a layer with whiteout files would need a real runtime.
  if "${TAR[@]}" -tf "$layer" | grep -q -E '(^|/)\.wh\.'; then fail "layer $(basename "$layer") has whiteout entries"; fi
  "${TAR[@]}" -xf "$layer" -C "$TMP/rootfs" --numeric-owner
done
R="$TMP/rootfs"

cfg() { jq -r "$1" "$CONFIG"; }
mapfile -t ENTRYPOINT < <(cfg '(.config.Entrypoint // [])[]')
mapfile -t CMD < <(cfg '(.config.Cmd // [])[]')
mapfile -t ENV < <(cfg '(.config.Env // [])[]')
USER_SPEC="$(cfg '.config.User // ""')"
WORKDIR="$(cfg '.config.WorkingDir // "/"')"
[ -n "$WORKDIR" ] || WORKDIR=/
PORTS="$(cfg '(.config.ExposedPorts // {}) | keys | join(" ")')"
VOLUMES="$(cfg '(.config.Volumes // {}) | keys | join(" ")')"
echo "image: $IMAGE ($FORMAT, $(du -k "$IMAGE" | cut -f1) KiB, ${#LAYERS[@]} layers, $(du -sk "$R" | cut -f1) KiB unpacked)"
echo "  entrypoint: ${ENTRYPOINT[*]}"
echo "  arguments:  ${CMD[*]}"
echo "  user: $USER_SPEC  working directory: $WORKDIR  ports: $PORTS  volumes: $VOLUMES"
echo "  environment: ${ENV[*]}"
# The JIT compiler threads' priority lowered a second after start instead of a minute, for the check below.
ENV+=("RANKER_JIT_LOWER_COMPILER_PRIORITY_BY=10" "RANKER_JIT_LOWER_COMPILER_PRIORITY_AFTER=1s")

# The user as numbers, through the image's own /etc/passwd and /etc/group for names.
uid_of() { case "$1" in ''|*[!0-9]*) awk -F: -v n="$1" '$1 == n { print $3 }' "$R/etc/passwd" ;; *) echo "$1" ;; esac; }
gid_of() { case "$1" in ''|*[!0-9]*) awk -F: -v n="$1" '$1 == n { print $3 }' "$R/etc/group" ;; *) echo "$1" ;; esac; }
RUN_UID="$(uid_of "${USER_SPEC%%:*}")"
if [ "${USER_SPEC#*:}" != "$USER_SPEC" ]; then RUN_GID="$(gid_of "${USER_SPEC#*:}")"
else RUN_GID="$(awk -F: -v u="$RUN_UID" '$3 == u { print $4 }' "$R/etc/passwd")"; fi
[ -n "$RUN_UID" ] && [ -n "$RUN_GID" ] || fail "user '$USER_SPEC' is not in the image's /etc/passwd or /etc/group"
[ "$RUN_UID" != 0 ] || fail "the image runs as root"
case " ${ENTRYPOINT[*]} " in *" --add-modules jdk.incubator.vector "*) ;; *) fail "the entrypoint lacks --add-modules jdk.incubator.vector" ;; esac
case " $VOLUMES " in *" /models "*) ;; *) fail "the image declares no /models volume" ;; esac
case " $VOLUMES " in *" /state "*) ;; *) fail "the image declares no /state volume" ;; esac

# --- a models root and an empty state directory ---------------------------------------------------------------------
if [ -z "$MODELS" ]; then
  echo "training a tiny bundle into $TMP/models/1 ..."
  "$ROOT/bin/ranker" generate --scale tiny --seed 42 --out "$TMP/data" >"$TMP/generate.log" 2>&1 \
    || { tail -n 20 "$TMP/generate.log" >&2; fail "generate"; }
  "$ROOT/bin/ranker" train --data "$TMP/data" --models-root "$TMP/models" >"$TMP/train.log" 2>&1 \
    || { tail -n 20 "$TMP/train.log" >&2; fail "train"; }
  MODELS="$TMP/models"
fi
MODELS="$(cd "$MODELS" && pwd)"
# A fresh volume as Docker makes one: the owner and mode of the image's directory, root's 755 without one.
mkdir -p "$TMP/state"
if [ -d "$R/state" ]; then
  chown "$(stat -c %u:%g "$R/state")" "$TMP/state"
  chmod "$(stat -c %a "$R/state")" "$TMP/state"
  cp -a "$R/state/." "$TMP/state/"
else
  chmod 755 "$TMP/state"
fi
CP="$(sed "s|/app/|$R/app/|g" "$R/app/jib-classpath-file")"
if [ -n "$DATA" ]; then
  # The world's shoppers in the embedded store at the image's --state-dir, so Rank takes the personalized path.
  java -cp "$CP" dev.bannerranker.serving.cli.ServingCli import --data "$DATA" --state-dir "$TMP/state/users" \
    >"$TMP/import.log" 2>&1 || { tail -n 20 "$TMP/import.log" >&2; fail "import"; }
  chown -R "$RUN_UID:$RUN_GID" "$TMP/state/users"
fi
mkdir -p "$R/proc" "$R/dev" "$R/models" "$R/state" "$R/etc"
printf '127.0.0.1 localhost\n::1 localhost\n127.0.1.1 ranker-smoke\n' >"$TMP/hosts"

# --- start: the namespaces' first process mounts what a runtime would, then execs the entrypoint ------------------
cat >"$TMP/inner.sh" <<'INNER'
set -euo pipefail
R="$1" MODELS="$2" STATE="$3" HOSTS="$4"; shift 4
ip link set lo up
hostname ranker-smoke
mount -t proc proc "$R/proc"
mount -t tmpfs -o mode=755,size=64k tmpfs "$R/dev"
for d in null zero full random urandom tty; do touch "$R/dev/$d"; mount --bind "/dev/$d" "$R/dev/$d"; done
ln -s /proc/self/fd "$R/dev/fd"
mount --bind "$MODELS" "$R/models"
mount -o remount,bind,ro "$R/models"
mount --bind "$STATE" "$R/state"
touch "$R/etc/hosts"
mount --bind "$HOSTS" "$R/etc/hosts"
exec "$@"
INNER
# chroot, then the working directory, then the user, then exec with the image's environment and its PATH.
RUNNER='import os, sys
root, uid, gid, wd, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
env = dict(e.split("=", 1) for e in sys.argv[6:6 + n])
argv = sys.argv[6 + n:]
os.chroot(root); os.chdir(wd)
os.setgroups([]); os.setgid(gid); os.setuid(uid)
os.execvpe(argv[0], argv, env)'

START_MS="$(date +%s%3N)"
unshare --mount --pid --uts --net --fork --propagation private \
  bash "$TMP/inner.sh" "$R" "$MODELS" "$TMP/state" "$TMP/hosts" \
  python3 -c "$RUNNER" "$R" "$RUN_UID" "$RUN_GID" "$WORKDIR" "${#ENV[@]}" "${ENV[@]}" "${ENTRYPOINT[@]}" "${CMD[@]}" \
  >"$TMP/service.log" 2>&1 &
NS_PID=$!
in_ns() { nsenter --target "$NS_PID" --net -- "$@"; }
# Until unshare has made its namespaces, nsenter would join the host's network.
for _ in $(seq 1 100); do
  [ "$(readlink "/proc/$NS_PID/ns/net" 2>/dev/null)" != "$(readlink /proc/self/ns/net)" ] && break
  sleep 0.05
done
[ "$(readlink "/proc/$NS_PID/ns/net" 2>/dev/null)" != "$(readlink /proc/self/ns/net)" ] || fail "no network namespace"

# The clients: the host's JDK with the image's own classes and libraries.
in_ns java -cp "$CP" "$ROOT/deploy/image/GrpcHealthWait.java" 127.0.0.1:50051 "$TIMEOUT" >"$TMP/health.out" 2>&1 &
WAITER=$!
while kill -0 "$WAITER" 2>/dev/null; do
  kill -0 "$NS_PID" 2>/dev/null || { kill "$WAITER" 2>/dev/null; fail "the service exited before it was SERVING"; }
  sleep 0.2
done
wait "$WAITER" || fail "not SERVING within $TIMEOUT s: $(grep -v '^{' "$TMP/health.out")"
HEALTH_OUT="$(cat "$TMP/health.out")"
SERVING_MS="$(sed -n 's/.*SERVING at \([0-9]*\).*/\1/p' <<<"$HEALTH_OUT")"
JAVA_PID="$(ps --ppid "$NS_PID" -o pid= | tr -d ' ')"
grep -o '"message":"Startup completed[^"]*"' "$TMP/service.log" | sed 's/^"message":/  service: /' || true
grep -E '^ *scoring ' "$TMP/service.log" | sed 's/^ */  service: /' || true
echo "SERVING after $(( (SERVING_MS - START_MS) / 1000 )).$(( (SERVING_MS - START_MS) % 1000 / 100 )) s (grpc.health.v1 on 127.0.0.1:50051)"

[ "$(ps -o uid= -p "$JAVA_PID" | tr -d ' ')" = "$RUN_UID" ] || fail "the service does not run as uid $RUN_UID"
tr '\0' ' ' <"/proc/$JAVA_PID/cmdline" | grep -q -- '--add-modules jdk.incubator.vector' || fail "JVM flags"
in_ns curl -sf http://127.0.0.1:8080/health >"$TMP/health.json" || fail "HTTP /health"
echo "HTTP /health: $(cat "$TMP/health.json")"
# A shopper and a time inside the generated world's campaigns (the tiny and demo worlds share the calendar).
RANK_ARGS=(--target 127.0.0.1:50051 --user u-000001 --placement home_hero --time 2026-03-15T12:00:00Z)
in_ns java -cp "$CP" dev.bannerranker.serving.cli.ServingCli rank "${RANK_ARGS[@]}" \
  >"$TMP/rank.txt" 2>"$TMP/rank.err" || { cat "$TMP/rank.err" >&2; fail "Rank"; }
# The client's own log lines (JSON) aside, the ranking's rows.
grep -v '^{' "$TMP/rank.txt" >"$TMP/ranking.txt" || true
echo "Rank (rank ${RANK_ARGS[*]}):"
sed 's/^/  /' "$TMP/ranking.txt" | head -n 8
grep -q -E '^ *1 ' "$TMP/ranking.txt" || fail "the ranking has no banner"
if [ -n "$DATA" ]; then grep -q -E '^ *1 .* personalized ' "$TMP/ranking.txt" || fail "the ranking is not personalized"; fi
in_ns curl -sf http://127.0.0.1:8080/prometheus >"$TMP/prometheus.txt" || fail "HTTP /prometheus"
grep -q '^ranker_' "$TMP/prometheus.txt" || fail "/prometheus has no ranker_ metrics"
echo "HTTP /prometheus: $(grep -c '^ranker_' "$TMP/prometheus.txt") ranker_ samples"
# The JIT compiler threads run 10 nice levels below the JVM's main thread (the image's renice, as the non-root user).
nice_of() { awk '{ sub(/.*\) /, ""); print $17 }' "$1"; }
MAIN_NICE="$(nice_of "/proc/$JAVA_PID/stat")"
WANT_NICE=$(( MAIN_NICE + 10 > 19 ? 19 : MAIN_NICE + 10 ))
for _ in $(seq 1 50); do grep -q '"message":"JIT compiler threads' "$TMP/service.log" && break; sleep 0.2; done
grep -q '"message":"JIT compiler threads' "$TMP/service.log" || fail "the service did not log its JIT compiler threads lowered"
COMPILERS=0
for task in /proc/"$JAVA_PID"/task/*; do
  case "$(cat "$task/comm" 2>/dev/null)" in
    "C1 CompilerThre"*|"C2 CompilerThre"*)
      COMPILERS=$((COMPILERS + 1))
      [ "$(nice_of "$task/stat")" = "$WANT_NICE" ] || fail "JIT compiler thread $(basename "$task") at nice $(nice_of "$task/stat"), not $WANT_NICE" ;;
  esac
done
[ "$COMPILERS" -gt 0 ] || fail "no JIT compiler thread found"
echo "JIT compiler threads: $COMPILERS at nice $WANT_NICE (the main thread at $MAIN_NICE)"
# serve's banner names the kernels: the Vector API ones (panama-*) need the image's --add-modules flag.
grep -q -E '^ *scoring +panama' "$TMP/service.log" || fail "scoring does not use the Vector API kernels"
[ -f "$TMP/state/users/LAYOUT" ] || [ -n "$(ls -A "$TMP/state/users" 2>/dev/null)" ] \
  || fail "no user store in the /state volume"

# SIGTERM, as `docker stop` sends it: the service drains and exits.
STOP_MS="$(date +%s%3N)"
kill -TERM "$JAVA_PID"
STATUS=0
wait "$NS_PID" || STATUS=$?
NS_PID=""
echo "stopped by SIGTERM in $(( ($(date +%s%3N) - STOP_MS) )) ms, exit status $STATUS"
[ "$STATUS" = 0 ] || [ "$STATUS" = 143 ] || fail "exit status $STATUS after SIGTERM"
echo "OK: the image serves as uid $RUN_UID"
