#!/usr/bin/env bash
# The course's two commands, from nothing to running:
#   ./course.sh lab    set up a virtual environment (.venv) and open the course in JupyterLab
#   ./course.sh test   set up the same environment and run every test (unit tests + every notebook via nbval)
# Needs only Python >= 3.10 with venv. Re-running reuses .venv and reinstalls only what changed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
cmd="${1:-}"
case "$cmd" in lab|test) ;; *) echo "usage: ./course.sh lab | test" >&2; exit 2 ;; esac

PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv with $($PY --version)"
  "$PY" -m venv .venv
fi
echo "==> installing gan_utils and its pinned dependencies into .venv"
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[notebooks,dev]"

# MNIST: use an offline copy when one sits beside the repository (as in CI), else gan_utils downloads and
# verifies it on first use into ~/.cache/gan_utils/mnist.
if [ -z "${GAN_UTILS_MNIST_DIR:-}" ] && [ -d ../shared/data/mnist ]; then
  export GAN_UTILS_MNIST_DIR="$(cd ../shared/data/mnist && pwd)"
fi
export JAX_COMPILATION_CACHE_DIR="${JAX_COMPILATION_CACHE_DIR:-$PWD/.jax_cache}"  # recompiles only once

if [ "$cmd" = lab ]; then
  exec .venv/bin/jupyter lab notebooks/
fi
# Under test, notebooks shorten their training (never what they teach); see GAN_COURSE_TEST in the notebooks.
export GAN_COURSE_TEST=1 MPLBACKEND=Agg
exec .venv/bin/python -m pytest tests notebooks --nbval-lax --nbval-current-env -p no:cacheprovider "${@:2}"
