#!/usr/bin/env bash
# Runs a benchmark main class from a module's test sources on that module's test classpath.
# Usage: bench/run-main.sh MODULE CLASS [ARGS...]   (after `mvn -B -DskipTests install`; needs ../shared)
# Environment: BENCH_JAVA_OPTS extra JVM options (default -Xmx4g).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
module="$1"
main="$2"
shift 2
cp_file="$(mktemp)"
trap 'rm -f "$cp_file"' EXIT
mvn -B -q -o -pl "$module" dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >/dev/null
[ -d "$module/target/test-classes" ] || mvn -B -q -pl "$module" test-compile
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
# Word splitting of BENCH_JAVA_OPTS is intended.
# shellcheck disable=SC2086
"${JAVA_HOME:+$JAVA_HOME/bin/}java" ${BENCH_JAVA_OPTS:--Xmx4g} -Dmaskserve.shared="$(pwd)/../shared" \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "$module/target/test-classes:$module/target/classes:$(cat "$cp_file")" \
  "$main" "$@"
