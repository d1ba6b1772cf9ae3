#!/usr/bin/env bash
# Issue 6's performance figures, in one run on one machine (BENCHMARKS.md "Serving performance"):
#   1. JMH, in process: explanation latency at batch 1 over one classifier forward, and RISE-4000 and
#      IG-50 over the generator's explanation (io.maskserve.bench.LatencyMain);
#   2. a real `bin/maskserve serve` loaded over gRPC by 1, 8 and 64 closed-loop clients: throughput,
#      p50/p99, errors, throughput over the raw batched ONNX Runtime floor, the server's resident memory
#      at rest, per model loaded and under load (io.maskserve.bench.ServingMain).
#   3. the trainer's images per second on CIFAR-10 (both objectives).
# Models: the embedded default `synth` and ResNet-20 (../shared) with the generator shipped in
# models/resnet20-cifar10.
# Usage: bench/performance.sh [seconds per load level, default 60] [all|latency|trainer|serving]
# (after `mvn -B -DskipTests install`; needs ../shared). Environment: SERVE_OPTS extra `serve` flags,
# LATENCY_THREADS intra-op thread counts for the latency part (default 1,2), SERVE_JAVA_OPTS the
# server's JVM options (e.g. a JFR recording), BENCH_MODELS (default "synth resnet20-cifar10") and
# BENCH_CLIENTS (default 1,8,64) for the serving part.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$(pwd)"
shared="${MASKSERVE_SHARED:-$root/../shared}"
seconds="${1:-60}"
what="${2:-all}"
work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# shellcheck source=bench/lib.sh
source bench/lib.sh
bench_machine

bench_zoo
bin/maskserve synth --out "$work/synth" --count 256 --seed 11 --no-train-classifier >/dev/null

bench_classpath
cp_file="$work/classpath"
run() {
  "${JAVA_HOME:+$JAVA_HOME/bin/}java" -Xmx2g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -cp "bench/target/classes:$(cat "$cp_file")" "$@"
}

if [ "$what" = all ] || [ "$what" = latency ]; then
  echo
  echo "=== 1. in-process latency at batch 1 (JMH)"
  run -Dmaskserve.bench.threads="${LATENCY_THREADS:-1,2}" io.maskserve.bench.LatencyMain "$zoo" \
    "synth=$work/synth" "resnet20-cifar10=$work/cifar-eval"
fi
if [ "$what" = all ] || [ "$what" = trainer ]; then
  echo
  echo "=== 3. trainer: images per second training the CIFAR-10 generator (bin/maskserve train, 80 steps each)"
  : >"$work/train-list.txt"
  while read -r label; do
    [ -n "$label" ] || continue
    for i in $(seq -f %04g 0 799); do echo "$shared/datasets/cifar10-test/$label/$i.jpg $label"; done >>"$work/train-list.txt"
  done <"$resnet/labels.txt"
  for objective in paper reinforce; do
    bin/maskserve train --zoo "$zoo" --model resnet20-cifar10 --data "$work/train-list.txt" --out "$work/train-$objective" \
      --objective "$objective" --initial-keep 0.5 --steps 80 --seed 1 >/dev/null 2>&1
    # Median over steps 21-80 (the first steps warm up the JIT and ONNX Runtime).
    tail -n +22 "$work/train-$objective/metrics.csv" | cut -d, -f6 | sort -n \
      | awk -v o="$objective" '{ v[NR] = $1 } END { printf "%s objective: %.1f images/s (median of %d steps, batch 16)\n", o, v[int((NR + 1) / 2)], NR }'
  done
fi
[ "$what" = all ] || [ "$what" = serving ] || exit 0

echo
echo "=== 2. end to end over gRPC (${seconds} s per level)"
# Word splitting of SERVE_OPTS is intended.
# shellcheck disable=SC2086
MASKSERVE_JAVA_OPTS="${SERVE_JAVA_OPTS:--Xms256m -Xmx2g}" \
  bin/maskserve serve --zoo "$zoo" --port 0 --bind 127.0.0.1 ${SERVE_OPTS:-} >"$work/serve.out" 2>"$work/serve.err" &
server_pid=$!
bench_wait_for_server
head -n 3 "$work/serve.out"
models=()
for m in ${BENCH_MODELS:-synth resnet20-cifar10}; do
  case "$m" in
    synth) models+=(--model "synth=$work/synth") ;;
    resnet20-cifar10) models+=(--model "resnet20-cifar10=$work/cifar-eval") ;;
    *) echo "unknown model in BENCH_MODELS: $m" >&2; exit 2 ;;
  esac
done
run io.maskserve.bench.ServingMain --server "127.0.0.1:$port" --pid "$server_pid" --zoo "$zoo" \
  "${models[@]}" --seconds "$seconds" --clients "${BENCH_CLIENTS:-1,8,64}"
