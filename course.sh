#!/usr/bin/env bash
# The course's two commands, from nothing to running:
#   ./course.sh lab    set up a virtual environment (.venv) and open the course in JupyterLab; with arguments, they
#                      go to JupyterLab (e.g. ./course.sh lab --port 8890 --no-browser)
#                      (GAN_COURSE_PROJECTOR=1 ./course.sh lab: projector mode, larger figures and text for a hall)
#   ./course.sh test   set up the same environment and run every test (unit tests + every notebook via nbval);
#                      with arguments, they go to pytest (e.g. ./course.sh test notebooks/03_generator.ipynb -x)
# and for readers and contributors (CONTRIBUTING.md):
#   ./course.sh book   build the course's website from the committed notebooks, without running them (docs/,
#                      Sphinx + MyST-NB) into _build/book; its last line is the path of the site's index.html
#   ./course.sh i18n   refresh the Chinese edition's translation catalogues (docs/locale/zh_CN) from the English,
#                      then the generated Chinese notebooks (notebooks/zh); --check changes nothing
#   ./course.sh execute notebooks/NN_name.py ...   sync each notebook with its .py, then re-run it in place
#   ./course.sh verify notebooks/NN_name.py ... [--seed-offset 1 2]   run notebooks in their normal mode with
#                      every seed shifted, without saving them (scripts/verify_notebook.py)
# and for teachers (docs/grading.md; scripts/grading.py):
#   ./course.sh release [NN ...] [-o DIR]   the graded release: student notebooks, instructor versions with hidden
#                      tests, Gradescope autograders, rubrics and the question bank (Otter-Grader)
#   ./course.sh grade NN SUBMISSION... [-o grades.csv]   grade the students' notebooks of NN into a table
#   ./course.sh key NN ID... (or grades.csv)   each student's numbers and right answers, for partial credit
# Needs only Python >= 3.10 with venv. Re-running reuses .venv and reinstalls only what changed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
cmd="${1:-}"
# a path without its extension (notebooks/03_generator.py -> notebooks/03_generator; a dot in a folder's name is no
# extension: ./notebooks/03_generator stays whole)
stem() { local base="${1##*/}"; case "$base" in ?*.*) echo "${1%.*}" ;; *) echo "$1" ;; esac; }
case "$cmd" in lab|test|book|i18n|execute|verify|release|grade|key) ;; *) echo "usage: ./course.sh lab [jupyter lab args] | test [pytest args] | book [sphinx-build args] | i18n [--check] | execute NOTEBOOK... | verify NOTEBOOK... [--seed-offset N...] | release [NN...] [-o DIR] | grade NN SUBMISSION... [-o grades.csv] | key NN ID..." >&2; exit 2 ;; esac
# What execute and verify need is checked before the install (minutes from nothing), not after it.
if [ "$cmd" = execute ] || [ "$cmd" = verify ]; then
  [ $# -ge 2 ] || { echo "usage: ./course.sh $cmd notebooks/NN_name.py [...]$([ "$cmd" = verify ] && echo ' [--seed-offset N...]')" >&2; exit 2; }
fi
if [ "$cmd" = execute ]; then
  # a notebook is an .ipynb, or a jupytext percent-format .py (a jupytext header or `# %%` cells), as
  # scripts/verify_notebook.py decides: jupytext would pair any other file (writing an .ipynb beside it), nbconvert fail
  for nb in "${@:2}"; do
    stem="$(stem "$nb")"; ext="${nb#"$stem"}"; why=""
    case "$ext" in
      .py|.ipynb|"") ;;
      *) why="a $ext file" ;;
    esac
    if [ -z "$why" ] && [ ! -f "$stem.ipynb" ]; then
      if [ ! -f "$stem.py" ]; then why="no $stem.ipynb or $stem.py"
      elif ! grep -qE '^#[[:space:]]+jupytext:|^# %%' "$stem.py"; then
        why="a Python file with no jupytext header and no # %% cells"
      fi
    fi
    if [ -n "$why" ]; then
      echo "./course.sh execute: $nb is not a notebook ($why): give e.g. notebooks/03_generator.py" >&2
      exit 2
    fi
  done
fi

PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv with $($PY --version)"
  "$PY" -m venv .venv
fi
if [ "$cmd" = test ]; then
  # Two side installs for the tests, started now so that they download while the main install does (in CI, from
  # nothing, this saves minutes); the tests wait for both below.
  (
    # The browser tests (tests/browser.py) drive JupyterLab and Notebook 7 in Debian's chromium; without it they skip.
    if ! command -v chromium >/dev/null && [ -z "${GAN_COURSE_CHROMIUM:-}" ]; then
      if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "==> installing chromium (apt-get) for the browser tests"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
      else
        echo "==> no chromium: the browser tests will be skipped (to run them: sudo apt-get install chromium)"
      fi
    fi
  ) &
  side_chromium=$!
  (
    # tests/test_colab_start.py runs the notebooks' setup cells where Colab starts: a second environment with the
    # versions Colab preinstalls (tests/colab_versions.txt), rebuilt only when that list changes.
    if [ "$(cat .colab-env/colab_versions.txt 2>/dev/null)" != "$(cat tests/colab_versions.txt)" ]; then
      echo "==> building .colab-env with Colab's preinstalled versions (tests/colab_versions.txt)"
      rm -rf .colab-env && "$PY" -m venv .colab-env
      .colab-env/bin/python -m pip install -q --upgrade pip
      .colab-env/bin/python -m pip install -q -r tests/colab_versions.txt "setuptools>=68"
      cp tests/colab_versions.txt .colab-env/colab_versions.txt
    fi
  ) &
  side_colab=$!
fi
echo "==> installing gan_utils and its pinned dependencies into .venv"
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[notebooks,dev,docs,teach]" -c constraints.txt   # the exact pins (constraints.txt)

if [ "$cmd" = book ]; then
  # The website (docs/conf.py says what it does and why): the committed outputs, never re-executed. Sphinx
  # rebuilds only what changed since the last build; `./course.sh book -E` rebuilds everything.
  .venv/bin/python -m sphinx -b html -q docs _build/book "${@:2}"
  # the Chinese edition, from the translation catalogues (docs/locale/zh_CN; ./course.sh i18n), into its folder zh/
  .venv/bin/python -m sphinx -b html -q -D language=zh_CN docs _build/book/zh "${@:2}"
  echo "$PWD/_build/book/index.html"
  exit 0
fi

if [ "$cmd" = i18n ]; then
  # The translation catalogues from the current English, then the Chinese notebooks (scripts/i18n.py says how)
  exec .venv/bin/python scripts/i18n.py "${@:2}"
fi

# MNIST: use an offline copy when one sits beside the repository (as in CI), else gan_utils downloads and
# verifies it on first use into ~/.cache/gan_utils/mnist.
if [ -z "${GAN_UTILS_MNIST_DIR:-}" ] && [ -d ../shared/data/mnist ]; then
  export GAN_UTILS_MNIST_DIR="$(cd ../shared/data/mnist && pwd)"
fi
# Persistent compilation cache: a re-run (and every notebook after the first) skips compiling what it compiled
# before (the first DCGAN step: 13.3 s cold, 2.3 s from the cache). jax reads these three settings from the
# environment; the two thresholds make it cache the many sub-second compilations too.
export JAX_COMPILATION_CACHE_DIR="${JAX_COMPILATION_CACHE_DIR:-$PWD/.jax_cache}"
export JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS="${JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS:-0}"
export JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES="${JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES:-0}"

if [ "$cmd" = lab ]; then
  root_flag=()
  [ "$(id -u)" = 0 ] && root_flag=(--allow-root)   # containers and some cloud machines run as root
  # a teacher's own options reach JupyterLab: ./course.sh lab --port 8890 --no-browser
  exec .venv/bin/jupyter lab "${root_flag[@]}" notebooks/ "${@:2}"
fi
if [ "$cmd" = execute ]; then
  export MPLBACKEND=module://matplotlib_inline.backend_inline
  for nb in "${@:2}"; do
    stem="$(stem "$nb")"
    # the side edited last wins; the .ipynb keeps its outputs (a new notebook, written as its .py, gets its .ipynb)
    .venv/bin/jupytext --sync "$([ -f "$stem.ipynb" ] && echo "$stem.ipynb" || echo "$stem.py")"
    echo "==> executing $stem.ipynb (normal mode, in place)"
    .venv/bin/jupyter nbconvert --to notebook --execute --inplace --ExecutePreprocessor.timeout=-1 "$stem.ipynb"
  done
  # the Chinese edition follows: catalogues (a changed paragraph turns stale) and the generated Chinese notebooks
  echo "==> refreshing the Chinese edition (./course.sh i18n)"
  .venv/bin/python scripts/i18n.py > /dev/null
  exit 0
fi
if [ "$cmd" = verify ]; then
  export MPLBACKEND=module://matplotlib_inline.backend_inline
  exec .venv/bin/python scripts/verify_notebook.py "${@:2}"
fi
if [ "$cmd" = release ] || [ "$cmd" = grade ] || [ "$cmd" = key ]; then
  # grading runs each submission top to bottom in this environment (otter run), as a learner's kernel would
  export MPLBACKEND=module://matplotlib_inline.backend_inline
  export PATH="$PWD/.venv/bin:$PATH"
  exec .venv/bin/python scripts/grading.py "$cmd" "${@:2}"
fi
wait "$side_chromium" || { echo "installing chromium failed" >&2; exit 1; }
wait "$side_colab" || { echo "building .colab-env failed" >&2; exit 1; }
# Under test, notebooks shorten their training (never what they teach); see GAN_COURSE_TEST in the notebooks.
export GAN_COURSE_TEST=1 MPLBACKEND=Agg
# Without arguments pytest runs its testpaths (pyproject.toml): tests, benchmarks and every notebook, on
# GAN_COURSE_TEST_WORKERS processes (default 2, pytest-xdist; 1 runs them in this process). Each test file, and so each
# notebook's cells, stays on one worker, in order (--dist loadfile, as nbval needs).
workers=()
if [ $# -le 1 ] && [ "${GAN_COURSE_TEST_WORKERS:-2}" != 1 ]; then
  # --no-loadscope-reorder: the files go out in conftest.py's order (longest first, from tests/test_times.json)
  workers=(-n "${GAN_COURSE_TEST_WORKERS:-2}" --dist loadfile --no-loadscope-reorder)
fi
# --durations: the slowest tests, printed last, so that a slow CI run says where its minutes went
exec .venv/bin/python -m pytest --nbval-lax --nbval-current-env -p no:cacheprovider --durations=25 "${workers[@]}" "${@:2}"
