#!/usr/bin/env bash
# Throughput of the Spark job (deploy/spark) on the CIFAR-10 evaluation split (2,000 images) in
# local[1] and local[2]: images/s and images/s per core. Builds within the reactor (no install).
# Usage: deploy/spark/bench.sh [timed runs per configuration, default 3] [batch, default 16]
#   [partitions per core, default 2; 0 keeps the file source's partitioning]
# Needs ../shared beside the project root. Waits while /tmp/maskserve-bench.lock exists (another
# benchmark is being timed on this machine).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
. deploy/spark/spark-env.sh
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
spark_wait_for_bench_lock
mvn -B -q -o -pl deploy/spark -am -DskipTests test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$work/classpath" >/dev/null
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
# shellcheck disable=SC2046
SPARK_LOCAL_IP=127.0.0.1 java -Xmx4g $(spark_jvm_flags) -Dlog4j2.configurationFile=deploy/spark/conf/log4j2.properties \
  -cp "deploy/spark/target/classes:deploy/spark/target/test-classes:$(cat "$work/classpath")" \
  io.maskserve.deploy.spark.SparkThroughputBenchmark "$work" "${1:-3}" "${2:-16}" "${3:-2}"
