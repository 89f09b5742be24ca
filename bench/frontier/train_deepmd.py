"""Train, freeze and compress one DeePMD-kit se_e2_a model (runs in .venv-deepmd).

    python train_deepmd.py DATA_DIR OUT_DIR SETTINGS.json

train.xyz / validation.xyz become dpdata deepmd/npy systems (one per atom count; virial
W = -stress V, DeePMD's sign); input.json as described in model_deepmd.py; then
``dp --tf train``, ``dp --tf freeze``, ``dp --tf compress``. Writes train_info.json: steps done,
the neighbour selection, and the validation RMSE (E per atom, F) averaged over the last 10 % of
the lcurve next to the 10 % before them (the plateau check).
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np


def to_npy(xyz: Path, folder: Path, species: list[str]) -> int:
    import dpdata
    from ase.io import read
    from ase.neighborlist import neighbor_list

    systems = dpdata.MultiSystems()
    max_neigh = 0
    for a in read(xyz, index=":"):
        types = np.array([species.index(s) for s in a.get_chemical_symbols()])
        stress = a.get_stress(voigt=False)
        systems.append(dpdata.LabeledSystem(data={
            "atom_names": list(species), "atom_numbs": [int((types == k).sum()) for k in range(len(species))],
            "atom_types": types, "orig": np.zeros(3), "nopbc": False, "cells": a.cell.array[None],
            "coords": a.positions[None], "energies": np.array([a.get_potential_energy()]),
            "forces": a.get_forces()[None], "virials": (-stress * a.get_volume())[None]}))
        max_neigh = max(max_neigh, int(np.bincount(neighbor_list("i", a, 5.0)).max()))
    systems.to("deepmd/npy", str(folder))
    return max_neigh


def main(data_dir, out_dir, settings_path) -> int:
    data, out = Path(data_dir), Path(out_dir)
    s = json.loads(Path(settings_path).read_text())
    species = s["species"]
    n_train = to_npy(data / "train.xyz", out / "npy_train", species)
    n_val = to_npy(data / "validation.xyz", out / "npy_validation", species)
    sel = int(4 * math.ceil(1.1 * max(n_train, n_val) / 4))
    steps = int(s["numb_steps"])
    systems = lambda f: sorted(str(p.parent) for p in (out / f).glob("*/type.raw"))  # noqa: E731
    inp = {
        "model": {"type_map": species,
                  "descriptor": {"type": "se_e2_a", "sel": [sel] * len(species), "rcut_smth": 0.5,
                                 "rcut": s["rcut_A"], "neuron": s["embedding"], "resnet_dt": False,
                                 "axis_neuron": 16, "seed": 1},
                  "fitting_net": {"neuron": s["fitting"], "resnet_dt": True, "seed": 1}},
        "learning_rate": {"type": "exp", "decay_steps": max(20, steps // 200), "start_lr": 1e-3, "stop_lr": 3.51e-8},
        "loss": {"type": "ener", "start_pref_e": 0.02, "limit_pref_e": 1, "start_pref_f": 1000, "limit_pref_f": 1,
                 "start_pref_v": 0, "limit_pref_v": 0.02},
        "training": {"training_data": {"systems": systems("npy_train"), "batch_size": "auto"},
                     "validation_data": {"systems": systems("npy_validation"), "batch_size": 1, "numb_btch": 5},
                     "numb_steps": steps, "seed": 10, "disp_file": "lcurve.out", "disp_freq": max(100, steps // 400),
                     "save_freq": max(1000, steps // 20)}}
    (out / "input.json").write_text(json.dumps(inp, indent=1))
    env = {**os.environ, "OMP_NUM_THREADS": str(s["threads"]), "TF_INTRA_OP_PARALLELISM_THREADS": str(s["threads"]),
           "TF_INTER_OP_PARALLELISM_THREADS": "1", "DP_INTRA_OP_PARALLELISM_THREADS": str(s["threads"]),
           "DP_INTER_OP_PARALLELISM_THREADS": "1", "TF_CPP_MIN_LOG_LEVEL": "2"}
    dp = str(Path(sys.executable).parent / "dp")
    restart = ["--restart", "model.ckpt"] if (out / "checkpoint").exists() else []
    for args in (["train", "input.json", "--skip-neighbor-stat", *restart], ["freeze", "-o", "frozen.pb"],
                 ["compress", "-i", "frozen.pb", "-o", "compressed.pb", "-t", "input.json"]):
        with open(out / f"dp_{args[0]}.log", "w") as log:
            rc = subprocess.run([dp, "--tf", *args], cwd=out, env=env, stdout=log, stderr=subprocess.STDOUT).returncode
        if rc != 0:
            raise SystemExit(f"dp {args[0]} failed (exit {rc}); see {out / f'dp_{args[0]}.log'}")
    lc = np.loadtxt(out / "lcurve.out", ndmin=2)  # step rmse_val rmse_trn rmse_e_val rmse_e_trn rmse_f_val ...
    n = max(1, len(lc) // 10)
    last, before = lc[-n:], lc[-2 * n:-n] if len(lc) >= 2 * n else lc[:n]
    info = {"steps_done": int(lc[-1, 0]), "sel": sel,
            "plateau": {"e_val_rmse_eV_per_atom_last10pct": float(last[:, 3].mean()),
                        "e_val_rmse_eV_per_atom_previous10pct": float(before[:, 3].mean()),
                        "f_val_rmse_eV_per_A_last10pct": float(last[:, 5].mean()),
                        "f_val_rmse_eV_per_A_previous10pct": float(before[:, 5].mean())}}
    (out / "train_info.json").write_text(json.dumps(info))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
