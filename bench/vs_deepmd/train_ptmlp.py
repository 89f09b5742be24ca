"""ptmlp for the same wall-clock budget: ``ptmlp train`` with the bench split and ptmlp_config.yaml.

ptmlp's learning rate decays per epoch over ``training.epochs``; ``max_time_s`` only stops the
run. As for DeePMD, a short probe (a few epochs) measures the time per epoch and the real run
gets epochs = budget / that, so its schedule ends within the budget; max_time_s = budget is the
hard stop. The exported model is the best-validation one (ptmlp's default).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from pathlib import Path

import yaml

from common import VENV, lammps_env, read_json

_EPOCH = re.compile(r"^epoch\s+(\d+)\s.*?\s([0-9.]+) s$", re.MULTILINE)


def _config(template: Path, work: Path, out_dir: Path, epochs: int, max_time_s: float) -> Path:
    cfg = yaml.safe_load(template.read_text()) or {}
    unknown = set(cfg) - {"model", "training", "ensemble", "bootstrap"}
    if unknown:
        raise SystemExit(f"{template}: keys {sorted(unknown)} are set by the bench; remove them")
    cfg["dataset"] = str(work / "data" / "fe.h5")
    cfg["split"] = str(work / "data" / "split.json")
    cfg["output_dir"] = str(out_dir)
    cfg.setdefault("training", {}).update(epochs=int(epochs), max_time_s=float(max_time_s))
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "bench_config.yaml"
    path.write_text(yaml.safe_dump(cfg, sort_keys=False))
    return path


def _run_train(config: Path, out_dir: Path, threads: int, timeout_s: float) -> tuple[float, str]:
    t0 = time.monotonic()
    proc = subprocess.run([str(VENV / "bin" / "ptmlp"), "train", str(config)], env=lammps_env(threads),
                          capture_output=True, text=True, timeout=timeout_s)
    (out_dir / "train.log").write_text(proc.stdout + proc.stderr)
    if proc.returncode != 0:
        raise SystemExit(f"ptmlp train {config} failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
    return time.monotonic() - t0, proc.stdout


def epoch_seconds(log_text: str) -> float:
    """Seconds per epoch (training + validation) from ``epoch N ... T s`` log lines, first excluded."""
    rows = [(int(n), float(t)) for n, t in _EPOCH.findall(log_text)]
    if len(rows) < 2:
        raise SystemExit(f"could not read the time per epoch from ptmlp train's log ({len(rows)} epoch lines)")
    return (rows[-1][1] - rows[0][1]) / (rows[-1][0] - rows[0][0])


def train_ptmlp(work: Path, template: Path, budget_s: float, threads: int, probe_epochs: int = 3) -> dict:
    probe = work / "ptmlp_probe"
    shutil.rmtree(probe, ignore_errors=True)
    cfg = _config(template, work, probe, probe_epochs, 1e9)
    probe_wall, log = _run_train(cfg, probe, threads, 3600)
    t_epoch = epoch_seconds(log)
    epochs = max(2, int(budget_s / t_epoch))

    run = work / "ptmlp"
    shutil.rmtree(run, ignore_errors=True)
    cfg = _config(template, work, run, epochs, budget_s)
    train_wall, log = _run_train(cfg, run, threads, budget_s + 3600)
    summary = read_json(run / "train_summary.json")["members"][0]
    model_cfg = yaml.safe_load(cfg.read_text())["model"]
    return {"model_pt": summary["model"], "config": str(cfg), "model_config": model_cfg, "budget_s": budget_s,
            "probe_epochs": probe_epochs, "probe_wall_s": round(probe_wall, 1), "s_per_epoch": t_epoch,
            "epochs": epochs, "epochs_run": summary["epochs_run"], "stopped": summary["stopped"],
            "train_wall_s": round(train_wall, 1), "frames_per_s": summary["frames_per_s"],
            "best_validation": summary["best_validation"], "threads": threads}
