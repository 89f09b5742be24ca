#!/usr/bin/env bash
# Whole bench: bench venv (setup_venv.sh, resumable) then bench.py (resumable) with its options.
#   bash bench/vs_deepmd/run.sh [bench.py options, e.g. --budget-s 300]
# BENCH_VENV picks the venv folder (default bench/vs_deepmd/.venv).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="${BENCH_VENV:-$HERE/.venv}"
bash "$HERE/setup_venv.sh" "$VENV" 2>&1 | { grep -v "Location 'file" || true; }
export OMP_NUM_THREADS=1 TF_CPP_MIN_LOG_LEVEL=2
"$VENV/bin/python" "$HERE/bench.py" "$@"
