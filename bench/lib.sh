# Shared by the bench/*.sh scripts (sourced, not run). Expects $work and $shared,
# and the current directory to be the project root.

# One line describing the machine and its load.
bench_machine() {
  echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
}

# Registers the ResNet-20 of ../shared as resnet20-cifar10:1 (no generator) in zoo directory $1, with
# its preprocessing (32x32, ImageNet mean/std). Sets $resnet.
bench_register_resnet() {
  resnet="$shared/models/resnet20-cifar10"
  bin/maskserve zoo register-classifier --zoo "$1" --name resnet20-cifar10 --version 1 --onnx "$resnet/model.onnx" \
    --labels "$resnet/labels.txt" --input-size 32 --mean 0.485,0.456,0.406 --std 0.229,0.224,0.225 >/dev/null
}

# The benchmark zoo in $work/zoo (the embedded synthetic model as shipped, ResNet-20 from ../shared
# with the generator shipped in models/resnet20-cifar10, or $GENERATOR when set) and links to CIFAR-10's evaluation split
# (0800-0999 of every class) in $work/cifar-eval. Sets $zoo and $resnet.
bench_zoo() {
  zoo="$work/zoo"
  mkdir -p "$zoo" "$work/cifar-eval"
  cp -r cli/src/main/resources/default-zoo/synth "$zoo/"
  bench_register_resnet "$zoo"
  bin/maskserve zoo register-generator --zoo "$zoo" --classifier resnet20-cifar10 --version 1 \
    --onnx "${GENERATOR:-models/resnet20-cifar10/generator.onnx}" --threshold "${GENERATOR_THRESHOLD:-0.35}" >/dev/null
  local label
  while read -r label; do
    [ -n "$label" ] || continue
    mkdir -p "$work/cifar-eval/$label"
    ln -s "$shared/datasets/cifar10-test/$label"/0[89]??.jpg "$work/cifar-eval/$label/"
  done <"$resnet/labels.txt"
}

# The bench module's runtime classpath, in $work/classpath.
bench_classpath() {
  mvn -B -q -o -pl bench dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile="$work/classpath" >/dev/null
}

# Waits for the server started in the background as $server_pid, logging to $work/serve.out and
# $work/serve.err, to listen; sets $port. Exits the script if it dies or does not start in 60 s.
bench_wait_for_server() {
  port=""
  for _ in $(seq 1 120); do
    port="$(sed -n 's/^maskserve listening on port \([0-9][0-9]*\) .*/\1/p' "$work/serve.out")"
    [ -n "$port" ] && return 0
    kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.err" >&2; exit 1; }
    sleep 0.5
  done
  echo "the server did not start" >&2
  exit 1
}
