"""DeePMD-kit se_e2_a (TensorFlow backend) for a fixed wall-clock budget, frozen and compressed.

Settings follow DeePMD-kit's ``examples/water/se_e2_a/input.json`` (rcut_smth 0.5, embedding
[25, 50, 100], axis_neuron 16, fitting [240, 240, 240] with resnet_dt, exponential learning
rate 1e-3 -> 3.51e-8, energy/force prefactors 0.02 -> 1 and 1000 -> 1, no virial), adapted to
Fe: type_map [Fe], rcut = ptmlp's r_cut unless given, sel from the data's neighbour count.

``dp train`` counts steps, not seconds. To give it a wall-clock budget like ptmlp's
``max_time_s``, a short probe run measures the time per step; numb_steps = budget / that, so
the learning-rate schedule ends within the budget. The real run is still killed at
``budget + startup grace`` if the machine slows down (then the last checkpoint is frozen).
"""

from __future__ import annotations

import json
import math
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import numpy as np

from common import VENV, lammps_env

SAVE_FREQ_STEPS = 100


def neighbour_sel(h5: str, rcut_A: float, margin: float = 1.1) -> dict:
    """Max neighbour count within rcut over all frames (what ``dp neighbor-stat`` reports),
    times the margin, rounded up to a multiple of 4."""
    from ase.neighborlist import neighbor_list
    from ptmlp.data.store import Dataset

    counts = [np.bincount(neighbor_list("i", fr.atoms, rcut_A), minlength=len(fr.atoms))
              for fr in Dataset(h5).read()]
    all_counts = np.concatenate(counts)
    return {"max_neighbours": int(all_counts.max()), "mean_neighbours": float(all_counts.mean()),
            "sel": int(4 * math.ceil(margin * all_counts.max() / 4))}


def input_json(data_dir: Path, rcut_A: float, sel: int, numb_steps: int, seed: int = 1) -> dict:
    decay_steps = int(min(5000, max(20, numb_steps // 50)))
    return {
        "model": {
            "type_map": ["Fe"],
            "descriptor": {"type": "se_e2_a", "sel": [sel], "rcut_smth": 0.5, "rcut": rcut_A,
                           "neuron": [25, 50, 100], "resnet_dt": False, "axis_neuron": 16, "seed": seed},
            "fitting_net": {"neuron": [240, 240, 240], "resnet_dt": True, "seed": seed},
        },
        "learning_rate": {"type": "exp", "decay_steps": decay_steps, "start_lr": 1e-3, "stop_lr": 3.51e-8},
        "loss": {"type": "ener", "start_pref_e": 0.02, "limit_pref_e": 1, "start_pref_f": 1000,
                 "limit_pref_f": 1, "start_pref_v": 0, "limit_pref_v": 0},
        "training": {
            "training_data": {"systems": [str(data_dir / "train")], "batch_size": "auto"},
            "validation_data": {"systems": [str(data_dir / "validation")], "batch_size": 1, "numb_btch": 3},
            "numb_steps": int(numb_steps), "seed": seed + 9, "disp_file": "lcurve.out",
            "disp_freq": SAVE_FREQ_STEPS, "save_freq": SAVE_FREQ_STEPS,
        },
    }


def _dp(*args: str) -> list[str]:
    return [str(VENV / "bin" / "dp"), "--tf", *args]


def _run_dp_train(folder: Path, timeout_s: float, threads: int) -> tuple[float, bool]:
    """``dp train input.json`` in folder; returns (wall seconds, killed at the time limit)."""
    t0 = time.monotonic()
    with open(folder / "train.log", "w") as log:
        proc = subprocess.Popen(_dp("train", "input.json", "--skip-neighbor-stat"), cwd=folder,
                                env=lammps_env(threads), stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        try:
            rc = proc.wait(timeout=timeout_s)
            killed = False
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGINT)  # dp saves nothing on SIGINT; the last checkpoint is used
            try:
                rc = proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                rc = proc.wait()
            killed = True
    if rc != 0 and not killed:
        tail = (folder / "train.log").read_text().strip().splitlines()[-5:]
        raise SystemExit(f"dp train in {folder} failed (exit {rc}):\n" + "\n".join(tail))
    return time.monotonic() - t0, killed


_BATCH_TIME = re.compile(r"batch\s+(\d+):\s+total wall time\s*=\s*([0-9.]+)\s*s", re.IGNORECASE)


def step_seconds(log_text: str) -> float:
    """Seconds per training step from dp's "batch N: total wall time = X s" lines (after the first,
    which carries start-up costs)."""
    rows = [(int(n), float(t)) for n, t in _BATCH_TIME.findall(log_text)]
    if len(rows) < 2:
        raise SystemExit(f"could not read the time per step from dp train's log ({len(rows)} timing lines)")
    steps = rows[-1][0] - rows[0][0]
    seconds = sum(t for _, t in rows[1:])
    return seconds / steps


def train_deepmd(work: Path, budget_s: float, rcut_A: float, threads: int, probe_steps: int = 300) -> dict:
    data = work / "data"
    sel = neighbour_sel(str(data / "fe.h5"), rcut_A)
    probe = work / "deepmd_probe"
    shutil.rmtree(probe, ignore_errors=True)
    probe.mkdir(parents=True)
    (probe / "input.json").write_text(json.dumps(input_json(data / "deepmd", rcut_A, sel["sel"], probe_steps), indent=1))
    probe_wall, _ = _run_dp_train(probe, 1800, threads)
    t_step = step_seconds((probe / "train.log").read_text())
    numb_steps = max(SAVE_FREQ_STEPS, int(budget_s / t_step) // SAVE_FREQ_STEPS * SAVE_FREQ_STEPS)

    run = work / "deepmd"
    shutil.rmtree(run, ignore_errors=True)
    run.mkdir(parents=True)
    (run / "input.json").write_text(json.dumps(input_json(data / "deepmd", rcut_A, sel["sel"], numb_steps), indent=1))
    startup_grace_s = max(60.0, probe_wall - probe_steps * t_step)
    train_wall, killed = _run_dp_train(run, budget_s + 2 * startup_grace_s, threads)
    log = (run / "train.log").read_text()
    rows = [(int(n), float(t)) for n, t in _BATCH_TIME.findall(log)]
    steps_done = rows[-1][0] if rows else 0

    t0 = time.monotonic()
    subprocess.run(_dp("freeze", "-o", "frozen.pb"), cwd=run, env=lammps_env(threads), check=True,
                   capture_output=True)
    freeze_s = time.monotonic() - t0
    t0 = time.monotonic()
    comp = subprocess.run(_dp("compress", "-i", "frozen.pb", "-o", "compressed.pb", "-t", "input.json"),
                          cwd=run, env=lammps_env(threads), capture_output=True, text=True)
    compress_s = time.monotonic() - t0
    (run / "compress.log").write_text(comp.stdout + comp.stderr)
    if comp.returncode != 0:
        raise SystemExit(f"dp compress failed (exit {comp.returncode}); see {run / 'compress.log'}")
    lcurve = np.loadtxt(run / "lcurve.out", ndmin=2)
    return {"frozen_pb": str(run / "frozen.pb"), "compressed_pb": str(run / "compressed.pb"),
            "rcut_A": rcut_A, **{f"neighbour_{k}": v for k, v in sel.items()},
            "budget_s": budget_s, "probe_steps": probe_steps, "probe_wall_s": round(probe_wall, 1),
            "s_per_step": t_step, "numb_steps": numb_steps, "steps_done": steps_done,
            "train_wall_s": round(train_wall, 1), "killed_at_time_limit": killed,
            "freeze_s": round(freeze_s, 1), "compress_s": round(compress_s, 1),
            "final_lr": float(lcurve[-1, -1]), "threads": threads}
