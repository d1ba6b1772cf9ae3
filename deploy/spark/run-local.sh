#!/usr/bin/env bash
# Runs the Spark explanation job without a Spark installation: Spark (from Maven, the version the
# module is built with) in local mode, all cores unless --master says otherwise, then the job's
# arguments, e.g.
#   deploy/spark/run-local.sh --zoo /tmp/zoo --model resnet20-cifar10:1 \
#     --input ../shared/datasets/cifar10-test --glob '{08,09}??.jpg' --output /tmp/cifar-eval.parquet
# Builds the job jar within the reactor first (offline; nothing is installed into ~/.m2).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
. deploy/spark/spark-env.sh
cp_file="$(mktemp)"
trap 'rm -f "$cp_file"' EXIT
mvn -B -q -o -pl deploy/spark -am -DskipTests package dependency:build-classpath \
  -Dmdep.includeScope=provided -Dmdep.outputFile="$cp_file" >/dev/null
jar="$(ls deploy/spark/target/maskserve-deploy-spark-*-job.jar)"
# shellcheck disable=SC2046
exec env SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}" java ${SPARK_JAVA_OPTS:--Xmx4g} $(spark_jvm_flags) -Dlog4j2.configurationFile=deploy/spark/conf/log4j2.properties \
  -cp "$(cat "$cp_file"):$jar" io.maskserve.deploy.spark.ExplainJob "$@"
