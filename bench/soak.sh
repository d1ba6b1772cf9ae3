#!/usr/bin/env bash
# Issue 7's soak (RELIABILITY.md "Soak"): a real `bin/maskserve serve` (ResNet-20 from ../shared with the
# generator shipped in models/resnet20-cifar10, plus the embedded `synth` model) under 64 closed-loop clients
# mixing valid Explain calls, invalid requests (garbage image bytes, unknown model, out-of-range target),
# ExplainStream calls (some cancelled mid-stream) and too-short deadlines (io.maskserve.bench.soak.SoakMain).
# The server's RSS, threads and open fds are sampled every 5 s and its live heap (full GC through jcmd)
# every minute; its GC log is parsed too. Prints outcomes by status code and the slopes per minute over
# the second half; exits non-zero on any unexpected outcome, or if the server logged an internal error or
# did not stop cleanly.
# Usage: bench/soak.sh [seconds, default 600] [clients, default 64]   (after `mvn -B -DskipTests install`;
# needs ../shared). Environment: SERVE_OPTS `serve` flags (default --max-queue 256: room for every client's stream
# items, so valid calls are served rather than shed; the other limits are the defaults), SERVE_JAVA_OPTS the server's JVM options
# (default -Xms256m -Xmx2g), SOAK_OPTS extra SoakMain options (e.g. --seed 2), SOAK_KEEP=1 keeps the work dir.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$(pwd)"
shared="${MASKSERVE_SHARED:-$root/../shared}"
seconds="${1:-600}"
clients="${2:-64}"
work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [ "${SOAK_KEEP:-0}" = 1 ]; then echo "work dir kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# shellcheck source=bench/lib.sh
source bench/lib.sh
bench_machine

# The zoo and images, as bench/performance.sh builds them.
bench_zoo
bench_classpath
cp_file="$work/classpath"

gc_log="$work/server-gc.log"
# Word splitting of SERVE_OPTS and SERVE_JAVA_OPTS is intended.
# shellcheck disable=SC2086
MASKSERVE_JAVA_OPTS="${SERVE_JAVA_OPTS:--Xms256m -Xmx2g} -Xlog:gc:file=$gc_log:uptime" \
  bin/maskserve serve --zoo "$zoo" --port 0 --bind 127.0.0.1 ${SERVE_OPTS:---max-queue 256} >"$work/serve.out" 2>"$work/serve.err" &
server_pid=$!
bench_wait_for_server
head -n 1 "$work/serve.out"
grep -m1 "maskserve started" "$work/serve.err" || true

status=0
# shellcheck disable=SC2086
"${JAVA_HOME:+$JAVA_HOME/bin/}java" -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "bench/target/classes:$(cat "$cp_file")" io.maskserve.bench.soak.SoakMain \
  --server "127.0.0.1:$port" --pid "$server_pid" --model resnet20-cifar10 --images "$work/cifar-eval" \
  --clients "$clients" --seconds "$seconds" --gc-log "$gc_log" ${SOAK_OPTS:-} || status=$?

internal="$(grep -c "internal error" "$work/serve.err" || true)"
echo "server log: $(wc -l <"$work/serve.err") lines, $internal internal errors, $(grep -c " WARN " "$work/serve.err" || true) WARN lines"
grep " WARN \| ERROR " "$work/serve.err" | sort | uniq -c | sort -rn | head -n 5 || true
kill "$server_pid"
wait "$server_pid" || true
server_pid=""
if grep -q "maskserve stopped" "$work/serve.err"; then echo "server stopped cleanly on SIGTERM"; else echo "server did not log a clean stop" >&2; status=1; fi
[ "$internal" = 0 ] || status=1
exit "$status"
