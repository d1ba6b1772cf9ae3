#!/usr/bin/env bash
# Issue 4's real-classifier benchmark: train a generator for ResNet-20 on the CIFAR-10 training split
# of ../shared and compare deletion/insertion AUC with a random map and the vanilla gradient on the
# held-out split. Usage: bench/cifar10-generator.sh [steps] [eval images per class] [reinforce|local|paper]
# (after `mvn -B -DskipTests install`; needs ../shared)
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/run-main.sh" trainer io.maskserve.trainer.bench.Cifar10GeneratorBenchmark "$@"
