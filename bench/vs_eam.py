"""ptmlp vs eam/fs in the same `lmp` run: katom-step/s and the ratio (bcc Fe, NVT).

    python bench/vs_eam.py [--cells 8] [--steps 200] [--np 1]

Both pair styles run in one LAMMPS process on the same box (the demo model and
Fe_mm.eam.fs), one after the other; LAMMPS's "Loop time" of each run is compared.
The ratio, not the absolute time, is the result (these machines are noisy).
"""

from __future__ import annotations

import argparse
import re
import shutil
import tempfile
from pathlib import Path

from ptmlp.demo import DEMO_MODEL
from ptmlp.potential import potentials_dir
from ptmlp.lammps_env import run_lammps

INPUT = """
units metal
atom_style atomic
lattice bcc 2.80
region box block 0 {n} 0 {n} 0 {n}
create_box 1 box
create_atoms 1 box
mass 1 55.845
velocity all create 1500 4242 mom yes rot yes
fix nvt all nvt temp 1500 1500 0.1
timestep 0.001
thermo 100
pair_style eam/fs
pair_coeff * * {eam} Fe
run {warm}
run {steps}
pair_style ptmlp fe_demo.pt
pair_coeff * * Fe
run {warm}
run {steps}
"""

LOOP = re.compile(r"Loop time of ([0-9.eE+-]+) on (\d+) procs for (\d+) steps with (\d+) atoms")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cells", type=int, default=8, help="bcc cells per side (2 n^3 atoms)")
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--np", type=int, default=1, dest="nprocs")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        shutil.copy(DEMO_MODEL, work / "fe_demo.pt")
        (work / "in.bench").write_text(INPUT.format(n=args.cells, steps=args.steps, warm=max(args.steps // 10, 10),
                                                    eam=potentials_dir() / "Fe_mm.eam.fs"))
        proc = run_lammps("in.bench", work, nprocs=args.nprocs)
    loops = [m.groups() for m in LOOP.finditer(proc.stdout)]
    (t_eam, _, steps, atoms), (t_ml, *_) = loops[1], loops[3]
    n = int(atoms) * int(steps)
    rate_eam, rate_ml = n / float(t_eam) / 1e3, n / float(t_ml) / 1e3
    print(f"{atoms} atoms, {steps} steps, {args.nprocs} rank(s)")
    print(f"eam/fs  {rate_eam:10.1f} katom-step/s  ({1e6 * float(t_eam) / n:.2f} us/atom-step)")
    print(f"ptmlp   {rate_ml:10.1f} katom-step/s  ({1e6 * float(t_ml) / n:.2f} us/atom-step)")
    print(f"ratio ptmlp/eam speed = {rate_ml / rate_eam:.3f}  (EAM is {rate_eam / rate_ml:.1f}x faster)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
