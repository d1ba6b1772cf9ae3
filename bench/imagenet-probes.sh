#!/usr/bin/env bash
# Two probes of issue 8's deletion/insertion gap (BENCHMARKS.md, ImageNet, "Two probes"), run on
# generator files built from existing ones by bench/probes/*.java, then measured with
# `bench/imagenet.sh eval` (generator only):
#   detail     the shipped generator's 28x28 map modulated at 224x224 by the photo's local detail
#              (DetailModulation.java): does pixel-level order inside the cells help the AUCs?
#   ensemble   the weighted mean of the shipped generator's map and the tapped rise decoder's
#              (GeneratorEnsemble.java): can one map have the first's insertion and the second's deletion?
# Usage: bench/imagenet-probes.sh [detail|ensemble|all] (after `mvn -B -DskipTests install`).
# Environment: OUT (default bench-out/imagenet-probes), EVAL_LIMIT (150), RISE_GENERATOR (for the
# ensembles: the tapped rise decoder, trained by the command of BENCHMARKS.md's "With the gradient x
# input tap" with TRAIN_ARGS="--samples 12 --rise-grid 7 --rise-fit ADDITIVE"; not shipped).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
what="${1:-all}"
out="${OUT:-bench-out/imagenet-probes}"
mkdir -p "$out"
shipped=models/mobilenet_v2-imagenet/generator.onnx
cp="cli/target/lib/*"
[ -d cli/target/lib ] || { echo "build first: mvn -B -DskipTests install" >&2; exit 1; }

measure() { # name, generator file; the evaluation's output is kept in $out/<name>.log
  GENERATOR="$2" EVAL_METHODS=generator EVAL_LIMIT="${EVAL_LIMIT:-150}" OUT="$out/$1" \
    bench/imagenet.sh eval >"$out/$1.log" 2>&1 || { tail -n 20 "$out/$1.log" >&2; exit 1; }
  echo "$1: $(grep '^generator: deletion' "$out/$1.log" | sed 's/^generator: //')"
}

if [ "$what" = all ] || [ "$what" = detail ]; then
  for probe in "0.1 blur" "0.5 blur" "2 blur" "0.5 mean"; do
    read -r eps mode <<<"$probe"
    java -cp "$cp" bench/probes/DetailModulation.java "$shipped" "$out/detail-$mode-$eps.onnx" "$eps" "$mode" 224
    measure "detail-$mode-$eps" "$out/detail-$mode-$eps.onnx"
  done
fi
if [ "$what" = all ] || [ "$what" = ensemble ]; then
  [ -f "${RISE_GENERATOR:-}" ] || { echo "set RISE_GENERATOR to the tapped rise decoder's generator.onnx" >&2; exit 1; }
  for probe in "0.5 arith" "0.7 arith" "0.5 geo" "0.7 geo"; do
    read -r weight mean <<<"$probe"
    java -cp "$cp" bench/probes/GeneratorEnsemble.java "$shipped" "$RISE_GENERATOR" "$out/ensemble-$mean-$weight.onnx" \
      "$weight" "$mean"
    measure "ensemble-$mean-$weight" "$out/ensemble-$mean-$weight.onnx"
  done
fi
