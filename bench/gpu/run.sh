#!/usr/bin/env bash
# The #22 GPU check in one command: build the CUDA plugin, compare device vs CPU, time bcc Fe NVT
# (2 000 / 32 000 / 256 000 atoms; ptmlp float64 and float32 on the GPU, eam/fs on all CPU cores
# with MPI), profile by phase; results as strict JSON + markdown in $OUT. About 6-8 minutes.
#
# On the GPU machine (CUDA torch in python3, nvcc, cmake; no LAMMPS, no MPI, no package index):
#   here, once:   .venv/bin/python bench/gpu/make_kit.py        # -> build/gpu_kit/kit.tar.xz (18 MiB)
#   there:        bench/gpu/run.sh                              # with build/gpu_kit carried along
#                 (device tool: run(command="bench/gpu/run.sh", carry=["build/gpu_kit"], timeout_s=600))
# Dry run on a CPU machine (the CPU plugin, the device path on the CPU, one tiny size, 2 ranks):
#   CPU_ONLY=1 OUT=/tmp/gpu_dry bench/gpu/run.sh
#
# Environment: OUT (results folder; default ../gpu_bench_out), WORK (scratch, default
#   /tmp/ptmlp_gpu_bench), CPU_ONLY (1: dry run), PYTHON (a Python with torch; default: the first
#   of python3, /opt/torch/.venv/bin/python3 that imports torch; CPU_ONLY: <repo>/.venv/bin/python),
#   LAMMPS_SITE + MPI_PREFIX (instead of the kit), BUDGET_S (450: no run starts after it), TIME_S
#   (4: seconds per timed segment). Other bench.py options can follow on the command line.
# Exit status: 0 when every stage passed, 1 when one failed (its reason is in gpu_bench.json/.md),
#   2 when it cannot start (no Python with torch).
set -uo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="${OUT:-$REPO/../gpu_bench_out}"
WORK="${WORK:-/tmp/ptmlp_gpu_bench}"
CPU_ONLY="${CPU_ONLY:-0}"
say() { printf '[gpu_bench] %s\n' "$*"; }
die() { printf '[gpu_bench] error: %s\n' "$*" >&2; exit 2; }

if [[ -n "${PYTHON:-}" ]]; then
  candidates=("$PYTHON")
elif [[ "$CPU_ONLY" == 1 ]]; then
  candidates=("$REPO/.venv/bin/python" python3)
else
  candidates=(python3 /opt/torch/.venv/bin/python3)
fi
PY=""
for p in "${candidates[@]}"; do
  if "$p" -W ignore -c 'import torch, numpy' >/dev/null 2>&1; then PY="$p"; break; fi
done
[[ -n "$PY" ]] || die "no Python with torch and numpy among: ${candidates[*]} (set PYTHON to one)"
read -r tv tc < <("$PY" -W ignore -c 'import torch; print(torch.__version__, torch.version.cuda)')
say "python $("$PY" -c 'import sys; print(sys.executable)'), torch $tv (CUDA $tc)"
if [[ "$CPU_ONLY" != 1 && "$tc" == None ]]; then
  die "torch $tv of $PY is a CPU build: the CUDA plugin needs a CUDA torch (or run CPU_ONLY=1 for the dry run)"
fi

args=(--out "$OUT" --work "$WORK" --time-s "${TIME_S:-4}" --budget-s "${BUDGET_S:-450}")
if [[ "$CPU_ONLY" == 1 ]]; then
  plugin="$REPO/python/ptmlp/_lib/ptmlpplugin.so"
  [[ -f "$plugin" ]] || die "CPU_ONLY needs the CPU plugin at $plugin (make)"
  args+=(--cpu-only --plugin "$plugin" --sizes 2x2x2 --np 2 --consistency-cells 3 3 3 --warmup-steps 2
         --segments 2)
  [[ -n "${TIME_S:-}" ]] || args+=(--time-s 0.3)
fi
mkdir -p "$OUT"
exec "$PY" -u "$REPO/bench/gpu/bench.py" "${args[@]}" "$@"
