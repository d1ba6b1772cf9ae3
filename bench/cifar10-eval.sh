#!/usr/bin/env bash
# Issue 5's CIFAR-10 table: `maskserve evaluate` with the generator and every baseline on the real
# ResNet-20 of ../shared and the evaluation split of datasets/cifar10-test (files 0800-0999 of every
# class; the shipped generator never saw them). BENCHMARKS.md "Evaluation: every method on ResNet-20".
# Usage: bench/cifar10-eval.sh [IMAGES] (default 1000: files 0800-0899 of every class, listed class by
# class in turn so that any prefix is balanced), after `mvn -B -DskipTests install`.
# Environment: OUT (default bench-out/cifar10-eval), METHODS (default: every method), EXTRA_ARGS (more `evaluate` options, e.g. "--step 16"),
# GENERATOR (an ONNX generator for ResNet-20 instead of the shipped one) and GENERATOR_THRESHOLD (its mask threshold, 0.35).
# EVAL_FILES ("800 999": the first and last file number listed; a training range measures how well a generator fits what it was trained on).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$(pwd)"
shared="${MASKSERVE_SHARED:-$root/../shared}"
images="${1:-1000}"
out="${OUT:-$root/bench-out/cifar10-eval}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

# shellcheck source=bench/lib.sh
source bench/lib.sh
bench_machine

bench_zoo # ResNet-20 with the shipped generator in $zoo

# The evaluation split, one image of every class in turn (0800 of each class, then 0801, ...).
for i in $(seq -f %04g ${EVAL_FILES:-800 999}); do
  while read -r c; do echo "$shared/datasets/cifar10-test/$c/$i.jpg $c"; done <"$resnet/labels.txt"
done >"$work/eval.txt"

# shellcheck disable=SC2086
MASKSERVE_JAVA_OPTS="-Xmx4g" bin/maskserve evaluate --zoo "$zoo" --model resnet20-cifar10 --data "$work/eval.txt" \
  --limit "$images" ${METHODS:+--methods "$METHODS"} --gallery 12 --out "$out" ${EXTRA_ARGS:-}
