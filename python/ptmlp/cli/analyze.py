"""``ptmlp analyze kappa|viscosity|diffusion|conductivity|rdf``: trajectory post-processing.

The transport quantities are the same commands as ``ptmlp transport``; ``rdf`` gives partial
radial distribution functions of a dump.
"""

from __future__ import annotations

import argparse


def add_parser(sub) -> None:
    from .transport import add_quantities

    p = sub.add_parser("analyze", help="post-process trajectories: kappa, viscosity, diffusion, conductivity, rdf")
    kinds = p.add_subparsers(dest="quantity", required=True)
    add_quantities(kinds, "analyze", names=("kappa", "viscosity", "diffusion", "conductivity"))
    r = kinds.add_parser("rdf", help="partial radial distribution functions of LAMMPS dumps (id type x y z)")
    r.add_argument("dumps", nargs="+")
    r.add_argument("--type-names", nargs="+", required=True, help="species of LAMMPS types 1, 2, ...")
    r.add_argument("--species", nargs="+", dest="type_names", help=argparse.SUPPRESS)  # old spelling
    r.add_argument("--r-max-A", type=float, default=6.0)
    r.add_argument("--bins", type=int, default=120)
    r.add_argument("--skip-frames", type=int, default=0, help="frames to drop from the start of each dump")
    r.add_argument("--out", default="analyze_rdf")
    r.set_defaults(run=run_rdf)


def run_rdf(args) -> int:
    from ..analysis.rdf import rdf_report

    res = rdf_report(args.dumps, args.type_names, args.out, args.r_max_A, args.bins, args.skip_frames)
    for key, d in res["pairs"].items():
        print(f"{key}: first peak {d['first_peak_r_A']:.3f} A (g = {d['first_peak_g']:.2f}), coordination "
              f"{d['coordination_to_first_min']:.2f} to {d['first_min_r_A']:.2f} A")
    print(f"{res['n_frames']} frames -> {args.out}/summary.json, {res['plot']}")
    return 0
