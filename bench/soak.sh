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

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"

# The zoo, as bench/performance.sh builds it: the embedded synthetic model, ResNet-20 with its shipped generator.
zoo="$work/zoo"
mkdir -p "$zoo"
cp -r cli/src/main/resources/default-zoo/synth "$zoo/"
resnet="$shared/models/resnet20-cifar10"
bin/maskserve zoo register-classifier --zoo "$zoo" --name resnet20-cifar10 --version 1 --onnx "$resnet/model.onnx" \
  --labels "$resnet/labels.txt" --input-size 32 --mean 0.485,0.456,0.406 --std 0.229,0.224,0.225 >/dev/null
bin/maskserve zoo register-generator --zoo "$zoo" --classifier resnet20-cifar10 --version 1 \
  --onnx models/resnet20-cifar10/generator.onnx --threshold 0.35 >/dev/null

# Images: CIFAR-10's evaluation split (0800-0999 of every class).
mkdir -p "$work/cifar-eval"
while read -r label; do
  [ -n "$label" ] || continue
  mkdir -p "$work/cifar-eval/$label"
  ln -s "$shared/datasets/cifar10-test/$label"/0[89]??.jpg "$work/cifar-eval/$label/"
done <"$resnet/labels.txt"

cp_file="$work/classpath"
mvn -B -q -o -pl bench dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile="$cp_file" >/dev/null

gc_log="$work/server-gc.log"
# Word splitting of SERVE_OPTS and SERVE_JAVA_OPTS is intended.
# shellcheck disable=SC2086
MASKSERVE_JAVA_OPTS="${SERVE_JAVA_OPTS:--Xms256m -Xmx2g} -Xlog:gc:file=$gc_log:uptime" \
  bin/maskserve serve --zoo "$zoo" --port 0 --bind 127.0.0.1 ${SERVE_OPTS:---max-queue 256} >"$work/serve.out" 2>"$work/serve.err" &
server_pid=$!
port=""
for _ in $(seq 1 120); do
  port="$(sed -n 's/^maskserve listening on port \([0-9][0-9]*\) .*/\1/p' "$work/serve.out")"
  [ -n "$port" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.err" >&2; exit 1; }
  sleep 0.5
done
[ -n "$port" ] || { echo "the server did not start" >&2; exit 1; }
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
