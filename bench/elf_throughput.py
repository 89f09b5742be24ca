"""ELF prediction cost: model vs the GPAW reference in the same run, and large-grid throughput.

    python bench/elf_throughput.py [--model m.pt] [--grid 96] [--threads 1 2] [--big-grid 192]

1. One 32-atom dense-hydrogen cell (2.0 A^3/atom, grid 0.1 A): GPAW SCF + ELF (PBE 350 eV,
   2x2x2 k, the labels' settings) vs descriptor + model on the same grid -> speed-up ratio.
2. A 500-atom cell on an N^3 grid (default 96^3): descriptor + inference wall time, microseconds
   per grid point and peak memory, for each thread count (one subprocess each).
3. With --big-grid M: the descriptor alone for the 500-atom cell on an M^3 grid, stored as
   float16 (M = 192: 7.1 M points x 165 features = 2.3 GB), wall time and peak memory.
Absolute times depend on the load of these shared machines; the ratio in 1 is the result.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

import numpy as np
import torch


def _model(path):
    if path:
        from ptmlp.elf.model_file import load_elf_model

        return load_elf_model(path)[0]
    from ptmlp.elf.descriptor import ElfDescriptor
    from ptmlp.elf.model import ElfModel

    torch.manual_seed(0)
    return ElfModel(ElfDescriptor(), [128, 128]).eval()  # random weights: same cost as a trained model


def _cell_500():
    from ptmlp.elf.structures import random_molecular_hydrogen

    return random_molecular_hydrogen(500, 2.0, np.random.default_rng(0), min_distance_A=1.2)


def child(args) -> None:
    torch.set_num_threads(args.threads[0])
    atoms = _cell_500()
    t0 = time.perf_counter()
    if args.child == "predict":
        from ptmlp.elf.inference import predict_grid

        out = predict_grid(_model(args.model), atoms, (args.grid,) * 3)
        n = out.size
    else:
        from ptmlp.elf.descriptor import ElfDescriptor
        from ptmlp.elf.features import point_features
        from ptmlp.elf.grid import grid_points_A

        shape = (args.big_grid,) * 3
        pts = grid_points_A(atoms.cell.array, shape)
        d = ElfDescriptor()
        feats = np.empty((len(pts), d.n_features), dtype=np.float16)
        point_features(d, atoms.positions, atoms.cell.array, pts, out=feats)
        n = len(pts)
        del pts
    wall = time.perf_counter() - t0
    print(json.dumps({"mode": args.child, "threads": args.threads[0], "grid_points": int(n), "wall_s": wall,
                      "us_per_point": 1e6 * wall / n, "peak_rss_MB": resource.getrusage(
                          resource.RUSAGE_SELF).ru_maxrss / 1024}))


def run_child(mode: str, args, threads: int) -> dict:
    cmd = [sys.executable, __file__, "--child", mode, "--threads", str(threads), "--grid", str(args.grid),
           "--big-grid", str(args.big_grid or 0)] + (["--model", args.model] if args.model else [])
    proc = subprocess.run(cmd, capture_output=True, text=True, env={"OMP_NUM_THREADS": str(threads),
                                                                     "PATH": "/usr/bin:/bin"})
    if proc.returncode:
        raise SystemExit(proc.stderr[-2000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def versus_gpaw(args) -> dict:
    from ptmlp.elf.inference import predict_grid
    from ptmlp.elf.labeler import GpawElfLabeler
    from ptmlp.elf.structures import random_molecular_hydrogen

    torch.set_num_threads(1)
    atoms = random_molecular_hydrogen(32, 2.0, np.random.default_rng(1), min_distance_A=1.2)
    t0 = time.perf_counter()
    ref = GpawElfLabeler(te_K=1200.0, ecut_eV=350, kpts=(2, 2, 2), grid_spacing_A=0.1).label(atoms)
    t_gpaw = time.perf_counter() - t0
    model = _model(args.model)
    t0 = time.perf_counter()
    predict_grid(model, atoms, ref.shape)
    t_model = time.perf_counter() - t0
    return {"cell": "32 H, 2.0 A^3/atom", "grid": list(ref.shape), "gpaw_scf_plus_elf_s": t_gpaw,
            "model_s": t_model, "speedup": t_gpaw / t_model}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=None, help="ELF model file (default: random weights, same cost)")
    ap.add_argument("--grid", type=int, default=96)
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--big-grid", type=int, default=0)
    ap.add_argument("--skip-gpaw", action="store_true")
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args)
        return
    out = {}
    if not args.skip_gpaw:
        out["vs_gpaw"] = versus_gpaw(args)
        v = out["vs_gpaw"]
        print(f"32-atom cell, grid {v['grid']}: GPAW {v['gpaw_scf_plus_elf_s']:.1f} s, model {v['model_s']:.2f} s, "
              f"speed-up x{v['speedup']:.0f}", flush=True)
    out["predict_500_atoms"] = []
    for t in args.threads:
        r = run_child("predict", args, t)
        out["predict_500_atoms"].append(r)
        print(f"500 atoms, {args.grid}^3 grid, {t} thread(s): {r['wall_s']:.1f} s, {r['us_per_point']:.1f} us/point, "
              f"peak {r['peak_rss_MB']:.0f} MB", flush=True)
    if args.big_grid:
        r = run_child("descriptor", args, max(args.threads))
        out["descriptor_big_grid"] = r
        print(f"500 atoms, {args.big_grid}^3 grid descriptor (float16 storage), {r['threads']} thread(s): "
              f"{r['wall_s']:.0f} s, {r['us_per_point']:.1f} us/point, peak {r['peak_rss_MB']:.0f} MB", flush=True)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
