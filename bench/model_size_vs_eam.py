"""Speed of ptmlp model v1 of several sizes against eam/fs, in one `lmp` run (issue #10).

    .venv/bin/python bench/model_size_vs_eam.py [--cells 10] [--steps 20] [--repeats 2]

Untrained models (the cost does not depend on the weights) of each size in SIZES are exported to
a temporary folder; one `lmp` process runs bcc Fe (a = 2.855 A, 2 cells^3 atoms, 1200 K NVT)
with eam/fs (Fe_mm.eam.fs) and with each model, in interleaved rounds; the fastest round of each
is reported in katom-step/s and as a fraction of eam/fs. With PTMLP_PROFILE=1 the core's phase
timers (C++ edges forward, C++ networks, C++ edges backward, forces) are printed at the end.
One thread (OMP_NUM_THREADS=1), one rank.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import tempfile
from pathlib import Path

from ptmlp.export import export_model
from ptmlp.potential import potentials_dir
from ptmlp.lammps_env import venv_bin
from ptmlp.models import ModelConfig, build_model

SIZES = {  # name -> ModelConfig keys (r_cut 5 A for all: same neighbours)
    "default (bench/vs_deepmd)": dict(n_radial=8, n_channels=8, l_max=3, hidden_widths=[32, 32]),
    "small": dict(n_radial=6, n_channels=4, l_max=2, hidden_widths=[16, 16]),
    "tiny": dict(n_radial=4, n_channels=3, l_max=2, hidden_widths=[16]),
}

BLOCK = """clear
units metal
atom_style atomic
lattice bcc 2.855
region b block 0 {cells} 0 {cells} 0 {cells}
create_box 1 b
create_atoms 1 box
mass 1 55.845
{pair}
velocity all create 1200 1 mom yes rot yes
fix 1 all nvt temp 1200 1200 0.1
run 3
print "BLOCK {key}"
run {steps}
"""


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cells", type=int, default=10, help="bcc cells per edge (atoms = 2 cells^3)")
    ap.add_argument("--steps", type=int, default=20, help="timed MLP steps per round (eam/fs runs 20x more)")
    ap.add_argument("--repeats", type=int, default=2)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        styles = [("eam/fs", f"pair_style eam/fs\npair_coeff * * {potentials_dir()}/Fe_mm.eam.fs Fe", 20 * args.steps)]
        for k, (name, kw) in enumerate(SIZES.items()):
            path = Path(tmp) / f"m{k}.pt"
            export_model(build_model(ModelConfig(type_names=["Fe"], r_cut=5.0, **kw)), str(path), training={})
            styles.append((name, f"pair_style ptmlp {path}\npair_coeff * * Fe", args.steps))
        text = "\n".join(BLOCK.format(cells=args.cells, pair=pair, key=i, steps=steps)
                         for _ in range(args.repeats) for i, (_, pair, steps) in enumerate(styles))
        (Path(tmp) / "in.lmp").write_text(text)
        proc = subprocess.run([venv_bin("lmp"), "-in", "in.lmp", "-log", "none"], cwd=tmp, capture_output=True,
                              text=True, env=dict(os.environ, OMP_NUM_THREADS="1"))
    if proc.returncode != 0:
        print(proc.stdout[-2000:], proc.stderr[-2000:])
        return 1
    best: dict[int, float] = {}
    for blk in proc.stdout.split("BLOCK ")[1:]:
        m = re.search(r"Loop time of (\S+) on \d+ procs for (\d+) steps with (\d+) atoms", blk)
        rate = int(m.group(2)) * int(m.group(3)) / float(m.group(1)) / 1e3
        key = int(blk.split()[0])
        best[key] = max(best.get(key, 0.0), rate)
    print(f"{2 * args.cells ** 3} atoms, 1 rank, 1 thread, fastest of {args.repeats} rounds, load {os.getloadavg()[0]:.2f}")
    print(f"| style | katom-step/s | / eam/fs |\n|---|---|---|")
    for i, (name, _, _) in enumerate(styles):
        print(f"| {name} | {best[i]:.1f} | {best[i] / best[0]:.4f} |")
    profile = [line for line in proc.stderr.splitlines() if line.startswith("ptmlp profile")]
    if profile:
        print("\n".join(["phase timers, all models together:"] + profile))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
