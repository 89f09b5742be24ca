"""Energy/atom and force RMSE of DeePMD (frozen, compressed) and ptmlp on the same test frames.

Both are scored by the same function (``ptmlp.evaluation.metrics.error_metrics``) on the same
frames (``split.json`` "test", read from fe.h5). DeePMD predictions come from its Python API
(``deepmd.infer.DeepPot``, TensorFlow) in a child process (``dp_predict.py``) so that TensorFlow
and torch never share a process; ptmlp's from ``ptmlp.evaluation.metrics.predict`` (ASE
calculator on the exported TorchScript model).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

from common import HERE, lammps_env

KEYS = ("energy_rmse_meV_per_atom", "energy_mae_meV_per_atom", "force_rmse_meV_per_A", "force_mae_meV_per_A",
        "virial_rmse_meV_per_atom", "force_std_reference_meV_per_A", "force_rmse_over_std", "n_frames")


def _records(frames, e_pred_eV, f_pred, w_pred_eV) -> list[dict]:
    out = []
    for k, fr in enumerate(frames):
        n = len(fr.atoms)
        out.append({"n": n, "e_ref": fr.energy_eV / n, "e_pred": float(e_pred_eV[k]) / n,
                    "f_ref": fr.forces_eV_per_A, "f_pred": f_pred[k].reshape(n, 3),
                    "symbols": fr.atoms.get_chemical_symbols(), "pressure_GPa": fr.pressure_GPa,
                    "temperature_K": fr.temperature_K, "te_K": fr.te_K,
                    "w_ref": fr.virial_eV / n, "w_pred": w_pred_eV[k].reshape(3, 3) / n})
    return out


def _summary(metrics: dict) -> dict:
    out = {k: metrics[k] for k in KEYS}
    out["per_PT_bin"] = {b: {k: v[k] for k in ("n_frames", "energy_rmse_meV_per_atom", "force_rmse_meV_per_A")}
                         for b, v in metrics["per_PT_bin"].items()}
    return out


def accuracy(work: Path, dp_models: dict[str, str], ptmlp_model: str, threads: int) -> dict:
    from ptmlp.data.splits import load_split
    from ptmlp.data.store import Dataset
    from ptmlp.evaluation.metrics import error_metrics, predict

    data = work / "data"
    frames = Dataset(data / "fe.h5").read(load_split(data / "split.json")["test"])
    results = {}
    for name, pb in dp_models.items():
        npz = work / "results" / f"predictions_{name}.npz"
        proc = subprocess.run([sys.executable, str(HERE / "dp_predict.py"), pb, str(data / "fe.h5"),
                               str(data / "split.json"), str(npz)], env=lammps_env(threads),
                              capture_output=True, text=True)
        if proc.returncode != 0:
            raise SystemExit(f"dp_predict.py {pb} failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
        p = np.load(npz)
        results[name] = _summary(error_metrics(_records(frames, p["energy_eV"], p["forces_eV_per_A"],
                                                        p["virial_eV"])))
    results["ptmlp"] = _summary(error_metrics(predict(ptmlp_model, frames)))
    return {"test_frames": len(frames), "models": results}
