# Shared by run-local.sh and bench.sh (sourced, not run); the current directory is the project root.

# The JVM flags Spark 4 needs on Java 17, as the module's pom lists them for its tests.
spark_jvm_flags() {
  sed -n '/<spark.jvm.flags>/,/<\/spark.jvm.flags>/p' deploy/spark/pom.xml | sed 's/<[^>]*>//g' | tr -s ' \n' ' '
}

# Waits while another benchmark is being timed on this machine.
spark_wait_for_bench_lock() {
  while [ -e /tmp/maskserve-bench.lock ]; do
    echo "waiting for /tmp/maskserve-bench.lock" >&2
    sleep 30
  done
}
