#!/usr/bin/env bash
# A feature-decoding generator for the real ResNet-20 of ../shared (BENCHMARKS.md "Trainer: ResNet-20 on
# CIFAR-10", feature decoders): `maskserve train --decoder-taps` on CIFAR-10's training split (files
# 0000-0799 of every class of datasets/cifar10-test), timed (issue 4's goal: <= 15 minutes on this 2-core
# machine), then `maskserve evaluate` with it on the evaluation split (bench/cifar10-eval.sh, files
# 0800-0999, never trained on).
# Usage: bench/cifar10-decoder.sh [all|train|eval] (after `mvn -B -DskipTests install`).
# Environment: OUT (default bench-out/cifar10-decoder), TRAIN_STEPS (2000), TRAIN_SEED (1),
# TRAIN_PER_CLASS (800: the whole training split; fewer takes the first files of each class),
# TRAIN_OBJECTIVE (reinforce), TRAIN_TAPS (the last two residual stages' outputs, 64x8x8 and 32x16x16:
# a 16x16 map; add maskserve.grad_x_input for the classifier's gradient x input, 1x32x32), TRAIN_ARGS (more `train` options; the defaults below are the measured best),
# EVAL_IMAGES (1000), METHODS (generator,gradient,smoothgrad,integrated-gradients), GENERATOR (for `eval`
# alone: the generator to measure, default $OUT/generator.onnx; `all` measures the one it trained).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$(pwd)"
shared="${MASKSERVE_SHARED:-$root/../shared}"
what="${1:-all}"
out="${OUT:-$root/bench-out/cifar10-decoder}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

# shellcheck source=bench/lib.sh
source bench/lib.sh
bench_machine

per_class="${TRAIN_PER_CLASS:-800}"
# Files 0800-0999 are the evaluation split: never train on them.
case "$per_class" in
  '' | *[!0-9]*) echo "TRAIN_PER_CLASS must be a number from 1 to 800, got '$per_class'" >&2; exit 2 ;;
esac
if [ "$per_class" -lt 1 ] || [ "$per_class" -gt 800 ]; then
  echo "TRAIN_PER_CLASS must be from 1 to 800 (files 0800-0999 are the evaluation split), got $per_class" >&2
  exit 2
fi

taps="${TRAIN_TAPS:-/layer3/layer3.2/Relu_1_output_0,/layer2/layer2.2/Relu_1_output_0}"
objective="${TRAIN_OBJECTIVE:-reinforce}"
if [ "$objective" = reinforce ]; then
  # Two keep and two destroyer samples per image, as the ImageNet decoder (models/README.md).
  objective_args="--samples 4 --estimator REINFORCE --lambda-area 4 --initial-keep 0.5
    --destroyer-budgets 0.05,0.1,0.2,0.3 --lambda-deletion 8"
else
  objective_args="--initial-keep 0.5"
fi

if [ "$what" = all ] || [ "$what" = train ]; then
  zoo="$work/zoo"
  bench_register_resnet "$zoo"
  while read -r c; do
    for i in $(seq -f %04g 0 $((per_class - 1))); do echo "$shared/datasets/cifar10-test/$c/$i.jpg $c"; done
  done <"$resnet/labels.txt" >"$work/train.txt"
  echo
  echo "=== train: $objective feature decoder on the training split (${TRAIN_STEPS:-2000} steps of 16 images)"
  t0=$(date +%s)
  # shellcheck disable=SC2086
  MASKSERVE_JAVA_OPTS="-Xmx4g" bin/maskserve train --zoo "$zoo" --model resnet20-cifar10 --data "$work/train.txt" \
    --out "$work/run" --objective "$objective" --steps "${TRAIN_STEPS:-2000}" --batch-size 16 --decoder-taps "$taps" \
    --decoder-width 64 $objective_args --seed "${TRAIN_SEED:-1}" ${TRAIN_ARGS:-} >"$work/train.log" 2>&1 \
    || { tail -n 20 "$work/train.log" >&2; exit 1; }
  t1=$(date +%s)
  cp "$work/run/generator.onnx" "$out/generator.onnx"
  cp "$work/run/metrics.csv" "$out/train-metrics.csv"
  trained="$out/generator.onnx"
  echo "trained in $((t1 - t0)) s ($(awk "BEGIN { printf \"%.1f\", ($t1 - $t0) / 60 }") min, goal <= 15 min)"
fi

if [ "$what" = all ] || [ "$what" = eval ]; then
  generator="${trained:-${GENERATOR:-$out/generator.onnx}}"
  [ -f "$generator" ] || { echo "no generator at $generator: run with 'train' first" >&2; exit 1; }
  echo
  echo "=== eval: $generator ($(sha256sum "$generator" | cut -c1-16)...)"
  GENERATOR="$generator" OUT="$out/report" METHODS="${METHODS:-generator,gradient,smoothgrad,integrated-gradients}" \
    bench/cifar10-eval.sh "${EVAL_IMAGES:-1000}"
fi
