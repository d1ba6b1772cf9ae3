#!/usr/bin/env bash
# Issue 8's figures: maskserve on a real ImageNet classifier (MobileNetV2, ../shared) and real ILSVRC
# validation images with boxes (BENCHMARKS.md "ImageNet").
#   train    the feature-decoding generator on datasets/imagenet-samples-1000 (the training split),
#            timed (goal: <= 20 minutes on this 2-core machine), written to $OUT/generator.onnx;
#   eval     `maskserve evaluate` on datasets/ilsvrc2012-val-1300 (the measuring split): pointing game,
#            localisation error, deletion/insertion for the generator, every baseline and the centre
#            map; report.json and report.html (gallery with boxes) in $OUT/report-ilsvrc;
#   random   the cascading randomisation test on the top blocks ($OUT/report-randomisation);
#   latency  explain over one classifier forward at batch 1, and RISE-4000 over explain (JMH).
# Usage: bench/imagenet.sh [all|train|eval|random|latency] (after `mvn -B -DskipTests install`).
# The generator used by eval/random/latency is $GENERATOR (default: $OUT/generator.onnx when train ran,
# else the one shipped in models/mobilenet_v2-imagenet). Environment: OUT (default bench-out/imagenet),
# TRAIN_STEPS (600), EVAL_LIMIT images (100), RISE_MASKS for the table (500), RAND_LEVELS (1,2,3,5),
# RAND_IMAGES (16), RAND_STEPS (150), TRAIN_SAMPLES (4: two keep and two destroyer samples per image),
# TRAIN_BUDGETS (the destroyer samples' budgets, 0.05,0.1,0.2), TRAIN_DELETION (their weight, 8), TRAIN_SEED (1),
# TRAIN_OBJECTIVE (reinforce; paper and rise drop the sample, area and destroyer options above: give rise its
# --samples and --rise-* options in TRAIN_ARGS),
# TRAIN_ARGS (more `train` options, e.g. "--nested-exponents 1,2,4"), TRAIN_TAPS (the classifier tensors the
# decoder reads, comma-separated; default the shipped generator's three, 7x7, 14x14 and 28x28; add
# maskserve.grad_x_input.pool8 for the gradient x input on the 28x28 grid), TRAIN_SMOOTH (the map's average-pool side, 3), GENERATOR_THRESHOLD (the mask's, 0.5),
# EVAL_METHODS (generator,gradient,smoothgrad,integrated-gradients,grad-cam,rise,centre).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$(pwd)"
shared="${MASKSERVE_SHARED:-$root/../shared}"
what="${1:-all}"
out="${OUT:-$root/bench-out/imagenet}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

# shellcheck source=bench/lib.sh
source bench/lib.sh
bench_machine

mobilenet="$shared/models/mobilenet_v2-imagenet"
taps="${TRAIN_TAPS:-/features/features.18/features.18.2/Clip_output_0,/features/features.13/Add_output_0,/features/features.6/Add_output_0}"
zoo="$work/zoo"
# The reference preprocessing (../shared/README.md): plain bilinear resize to 224x224, (p-128)/128.
bin/maskserve zoo register-classifier --zoo "$zoo" --name mobilenet --version 1 --onnx "$mobilenet/model.onnx" \
  --labels "$mobilenet/labels.txt" --input-size 224 --mean 0.50196,0.50196,0.50196 --std 0.50196,0.50196,0.50196 \
  >/dev/null
# imagenet-samples-1000 lists "<file>, <class>" with the files under images/.
awk -F', ' -v d="$shared/datasets/imagenet-samples-1000/images" '{ print d "/" $1 " " $2 }' \
  "$shared/datasets/imagenet-samples-1000/labels.txt" >"$work/train.txt"

generator="${GENERATOR:-}"
if [ "$what" = all ] || [ "$what" = train ]; then
  echo
  echo "=== train: ${TRAIN_OBJECTIVE:-reinforce} feature decoder on imagenet-samples-1000 (${TRAIN_STEPS:-600} steps of 16 images)"
  t0=$(date +%s)
  if [ "${TRAIN_OBJECTIVE:-reinforce}" = reinforce ]; then
    objective_args=(--samples "${TRAIN_SAMPLES:-4}" --estimator REINFORCE --lambda-area 5
      --destroyer-budgets "${TRAIN_BUDGETS:-0.05,0.1,0.2}" --lambda-deletion "${TRAIN_DELETION:-8}")
  else
    objective_args=() # paper: its own fixed cost weights, one sample per image; rise: options via TRAIN_ARGS
  fi
  # shellcheck disable=SC2086
  MASKSERVE_JAVA_OPTS="-Xmx6g" bin/maskserve train --zoo "$zoo" --model mobilenet --data "$work/train.txt" \
    --out "$work/run" --objective "${TRAIN_OBJECTIVE:-reinforce}" --steps "${TRAIN_STEPS:-600}" --batch-size 16 \
    "${objective_args[@]}" --initial-keep 0.6 --smooth "${TRAIN_SMOOTH:-3}" --decoder-taps "$taps" --decoder-width 64 \
    --checkpoint-every 100 --seed "${TRAIN_SEED:-1}" ${TRAIN_ARGS:-} >"$work/train.log" 2>&1 \
    || { tail -n 20 "$work/train.log" >&2; exit 1; }
  t1=$(date +%s)
  cp "$work/run/generator.onnx" "$out/generator.onnx"
  cp "$work/run/metrics.csv" "$out/train-metrics.csv"
  echo "trained in $((t1 - t0)) s ($(awk "BEGIN { printf \"%.1f\", ($t1 - $t0) / 60 }") min, goal <= 20 min);" \
    "last 50 steps: $(tail -n 50 "$work/run/metrics.csv" | awk -F, '{ r += $2; k += $4 } END { printf "reward %.3f, keep %.3f", r / NR, k / NR }')"
  generator="$out/generator.onnx"
fi
generator="${generator:-$root/models/mobilenet_v2-imagenet/generator.onnx}"
[ -f "$generator" ] || { echo "no generator at $generator: run with 'train' first" >&2; exit 1; }
bin/maskserve zoo register-generator --zoo "$zoo" --classifier mobilenet --version 1 --onnx "$generator" \
  --threshold "${GENERATOR_THRESHOLD:-0.5}" >/dev/null
echo "generator: $generator ($(sha256sum "$generator" | cut -c1-16)...)"

if [ "$what" = all ] || [ "$what" = eval ]; then
  echo
  echo "=== eval: ilsvrc2012-val-1300, ${EVAL_LIMIT:-100} images, RISE with ${RISE_MASKS:-500} masks"
  MASKSERVE_JAVA_OPTS="-Xmx6g" bin/maskserve evaluate --zoo "$zoo" --model mobilenet \
    --data "$shared/datasets/ilsvrc2012-val-1300" \
    --methods "${EVAL_METHODS:-generator,gradient,smoothgrad,integrated-gradients,grad-cam,rise,centre}" \
    --rise-masks "${RISE_MASKS:-500}" --step 3136 --limit "${EVAL_LIMIT:-100}" --gallery 12 \
    --request-timeout 600 --out "$out/report-ilsvrc"
fi

if [ "$what" = all ] || [ "$what" = random ]; then
  echo
  echo "=== randomisation: top blocks ${RAND_LEVELS:-1,2,3,5}, ${RAND_IMAGES:-16} images, ${RAND_STEPS:-150} steps per generator"
  MASKSERVE_JAVA_OPTS="-Xmx6g" bin/maskserve evaluate --zoo "$zoo" --model mobilenet \
    --data "$shared/datasets/ilsvrc2012-val-1300" --methods generator,gradient,grad-cam --limit "${RAND_IMAGES:-16}" \
    --step 3136 --randomisation --randomisation-images "${RAND_IMAGES:-16}" --randomisation-levels "${RAND_LEVELS:-1,2,3,5}" \
    --randomisation-train "$work/train.txt" --randomisation-steps "${RAND_STEPS:-150}" \
    --randomisation-train-args="--batch-size 16 --samples 3 --estimator REINFORCE --lambda-area 5 --initial-keep 0.6 --smooth 3" \
    --request-timeout 600 --out "$out/report-randomisation"
fi

if [ "$what" = all ] || [ "$what" = latency ]; then
  echo
  echo "=== latency at batch 1 (JMH, 1 intra-op thread)"
  mkdir -p "$work/images"
  head -n 4 "$shared/datasets/ilsvrc2012-val-1300/labels.txt" | while IFS=', ' read -r file _; do
    ln -s "$shared/datasets/ilsvrc2012-val-1300/images/$(basename "$file")" "$work/images/"
  done
  bench_classpath
  "${JAVA_HOME:+$JAVA_HOME/bin/}java" -Xmx2g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -Dmaskserve.bench.threads=1 -Dmaskserve.bench.warmups=1 -Dmaskserve.bench.iterations=2 -cp "bench/target/classes:$(cat "$work/classpath")" \
    io.maskserve.bench.LatencyMain "$zoo" "mobilenet=$work/images"
fi
