"""FLOPs per atom-step of a model v1 file and the fraction of this CPU's peak the pair style reaches.

    python bench/model_flops.py [--model python/ptmlp/demo/fe_demo.pt] [--cells 6] [--steps 200]
        [--peak-gflops-per-core 41.6]

Counted arithmetic (multiply and add each one FLOP) of one force evaluation, per atom, for the
C++ CPU path (each quantity computed once; the backward reuses the forward's per-edge values):
per edge the radial basis with its derivative (~12 n_radial), the radial mixing with
derivatives (4 n_radial Q), real spherical harmonics with gradients (~12 M), density
accumulation (2 Q M) and its backward (4 Q M + 2 Q + 6 M + 10); per atom the power spectrum
(2 Q^2 M forward, the same backward) and the networks (2 x weights forward, 2 x weights for the
input gradient). The default peak is 2.6 GHz x 16 double-precision FLOP/cycle (two 256-bit FMA
units, the AVX+FMA the kernels are built with) for one core; pass yours.
"""

from __future__ import annotations

import argparse
import re
import shutil
import tempfile
from pathlib import Path

from ptmlp.demo import DEMO_MODEL
from ptmlp.export import load_model
from ptmlp.lammps_env import run_lammps

INPUT = """
units metal
atom_style atomic
lattice bcc 2.80
region box block 0 {n} 0 {n} 0 {n}
create_box 1 box
create_atoms 1 box
mass 1 55.845
pair_style ptmlp model.pt
pair_coeff * * {species}
velocity all create 1500 4242 mom yes rot yes
fix nvt all nvt temp 1500 1500 0.1
timestep 0.001
run 20
run {steps}
"""


def flops_per_atom(arch: dict, neighbours: float) -> dict:
    nr, q, lmax, hidden = arch["n_radial"], arch["n_channels"], arch["l_max"], arch["hidden_widths"]
    m = (lmax + 1) ** 2
    n_feat = (lmax + 1) * q * (q + 1) // 2 + (2 if arch.get("electronic_temperature") else 0)
    per_edge = (12 * nr + 4 * nr * q + 12 * m + 2 * q * m) + (4 * q * m + 2 * q + 6 * m + 10)
    widths = [n_feat] + list(hidden) + [1]
    weights = sum(a * b for a, b in zip(widths[:-1], widths[1:]))
    per_atom = 2 * q * q * m * 2 + 2 * weights * 2
    return {"per_edge": per_edge, "edges_per_atom": neighbours, "per_atom_network": per_atom,
            "total_per_atom": per_edge * neighbours + per_atom}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=str(DEMO_MODEL))
    ap.add_argument("--species", default="Fe")
    ap.add_argument("--cells", type=int, default=6)
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--peak-gflops-per-core", type=float, default=2.6 * 16)
    args = ap.parse_args(argv)
    _, meta = load_model(args.model)
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(args.model, Path(tmp) / "model.pt")
        (Path(tmp) / "in.flops").write_text(INPUT.format(n=args.cells, steps=args.steps, species=args.species))
        proc = run_lammps("in.flops", tmp)
    loop = re.findall(r"Loop time of ([0-9.eE+-]+) on 1 procs for (\d+) steps with (\d+) atoms", proc.stdout)[-1]
    neigh = float(re.findall(r"Ave neighs/atom = ([0-9.]+)", proc.stdout)[-1])
    t, steps, atoms = float(loop[0]), int(loop[1]), int(loop[2])
    # LAMMPS's full list holds neighbours within r_cut + skin; the model sees those within r_cut
    in_cut = neigh * (meta["r_cut"] / (meta["r_cut"] + 2.0)) ** 3
    f = flops_per_atom(meta["architecture"], in_cut)
    us = 1e6 * t / (steps * atoms)
    gflops = f["total_per_atom"] / (us * 1e-6) / 1e9
    print(f"model {args.model}: {f['total_per_atom'] / 1e3:.1f} kFLOP per atom-step "
          f"({f['per_edge']} per edge x {in_cut:.0f} edges + {f['per_atom_network'] / 1e3:.1f}k per atom)")
    print(f"measured {us:.2f} us/atom-step on 1 rank ({atoms} atoms): {gflops:.2f} GFLOP/s = "
          f"{100 * gflops / args.peak_gflops_per_core:.1f}% of {args.peak_gflops_per_core:.1f} GFLOP/s peak per core")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
