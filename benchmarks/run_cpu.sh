#!/usr/bin/env bash
# The benchmark of benchmarks/RESULTS.md, in one command (from the repository root):
#   ./benchmarks/run_cpu.sh            # JAX vs PyTorch eager, batches 64/128/256, then the 5-minute quality race;
#                                      # table -> benchmarks/bench_cpu.md (about 20 minutes in all)
# It installs PyTorch's CPU wheel (benchmarks/requirements.txt) if missing, waits until the machine is quiet
# (1-minute load < 1.5, at most 30 minutes) and then measures; see `python benchmarks/bench.py --help`.
# Extra arguments go to bench.py, e.g. `./benchmarks/run_cpu.sh --model dcgan --batch 64`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PY="${PYTHON:-python}"
if ! "$PY" -c "import torch" 2>/dev/null; then
  # PyTorch's CPU wheel; if its index is unreachable, PyPI's wheel (on Linux it bundles the CUDA libraries:
  # gigabytes, but the CPU timings are the same)
  "$PY" -m pip install -q --retries 1 --timeout 15 -r benchmarks/requirements.txt \
        --index-url https://download.pytorch.org/whl/cpu \
    || "$PY" -m pip install -q -r benchmarks/requirements.txt \
    || echo "PyTorch not installed: JAX only"
fi
exec "$PY" benchmarks/bench.py --wait-load 1.5 --quality-minutes 5 --out benchmarks/bench_cpu.md "$@"
