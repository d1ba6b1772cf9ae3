#!/usr/bin/env bash
# Forward-only vs forward+backward latency of the autodiff-augmented classifiers (issue 3).
# Usage: bench/autodiff.sh [iterations]   (after `mvn -B -DskipTests install`; needs ../shared)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cp_file="$(mktemp)"
trap 'rm -f "$cp_file"' EXIT
mvn -B -q -o -pl model-zoo dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >/dev/null
[ -d model-zoo/target/test-classes ] || mvn -B -q -pl model-zoo test-compile
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
exec "${JAVA_HOME:+$JAVA_HOME/bin/}java" -Dmaskserve.shared="$(pwd)/../shared" \
  -cp "model-zoo/target/test-classes:model-zoo/target/classes:$(cat "$cp_file")" \
  io.maskserve.zoo.autodiff.AutodiffBenchmark "${1:-20}"
