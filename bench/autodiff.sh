#!/usr/bin/env bash
# Forward-only vs forward+backward latency of the autodiff-augmented classifiers (issue 3).
# Usage: bench/autodiff.sh [iterations]   (after `mvn -B -DskipTests install`; needs ../shared)
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/run-main.sh" model-zoo io.maskserve.zoo.autodiff.AutodiffBenchmark "${1:-20}"
