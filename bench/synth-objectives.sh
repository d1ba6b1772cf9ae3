#!/usr/bin/env bash
# The training objectives side by side on the synthetic benchmark (issue 4).
# Usage: bench/synth-objectives.sh CLASSIFIER.onnx [steps] [reinforce muprop local paper]
# CLASSIFIER.onnx: e.g. cli/src/main/resources/default-zoo/synth/1/classifier.onnx
# (after `mvn -B -DskipTests install`)
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/run-main.sh" trainer io.maskserve.trainer.bench.SynthObjectivesBenchmark "$@"
