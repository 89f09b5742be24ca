"""``ptmlp al status``: per-iteration table and a PNG of the loop's progress."""

from __future__ import annotations

import math
import os
from pathlib import Path

from ..jsonfile import read_json


def number(value) -> float:
    """A number of the state; JSON null (a value that could not be measured) is NaN."""
    return math.nan if value is None else value


def load_state(workdir: str | os.PathLike) -> dict:
    path = Path(workdir) / "al_state.json"
    if not path.exists():
        from ..errors import InputError

        raise InputError(f"{workdir}: no al_state.json (not an active-learning folder, or not started)")
    return read_json(path)


def status_table(state: dict) -> str:
    head = (f"{'iter':>4s} {'stages':18s} {'frames':>6s} {'accurate':>8s} {'cand.':>6s} {'failed':>6s} "
            f"{'runs bad':>8s} {'labels':>6s} {'lab.fail':>8s} {'val F':>7s} {'test F':>7s} {'data':>6s}")
    lines = [head, "-" * len(head)]
    for it in state["iterations"]:
        s = it.get("selection", {})
        stages = ",".join(k for k, v in it["stages"].items() if v == "done") or "-"
        runs = it.get("runs", {})
        bad = len(runs.get("failed", [])) + len(runs.get("halted", []))
        fails = sum(it.get("label_failures", {}).values())
        test = number(it.get("test", {}).get("force_rmse_meV_per_A"))
        lines.append(f"{it['index']:4d} {stages:18s} {s.get('n_frames', 0):6d} {number(s.get('accurate_fraction')):8.3f} "
                     f"{number(s.get('candidate_fraction')):6.3f} {number(s.get('failed_fraction')):6.3f} "
                     f"{bad:8d} {it.get('labels_added', 0):6d} {fails:8d} "
                     f"{number(it.get('validation_force_rmse_meV_per_A')):7.1f} {test:7.1f} "
                     f"{it.get('dataset_frames', 0):6d}")
    lines.append("(force RMSE in meV/A; fractions of explored frames; runs bad = crashed or halted MD runs)")
    if state["iterations"] and "selection" in state["iterations"][-1]:
        lines.append("last iteration per (P, T) point: accurate / candidate / failed")
        for key, c in state["iterations"][-1]["selection"]["per_point"].items():
            lines.append(f"  {key:28s} {c['accurate_fraction']:.3f} / {c['candidate_fraction']:.3f} / "
                         f"{c['failed_fraction']:.3f}  ({c['n']} frames)")
    lines.append(f"stopped: {state['stopped'] or 'running or interrupted'}")
    return "\n".join(lines)


def status_plot(state: dict, path: str | os.PathLike) -> str:
    from ..figures import pyplot, save_figure

    plt = pyplot()

    its = [it for it in state["iterations"] if "selection" in it]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
    x = [it["index"] for it in its]
    for key, color in (("accurate_fraction", "tab:green"), ("candidate_fraction", "tab:orange"),
                       ("failed_fraction", "tab:red")):
        ax1.plot(x, [it["selection"][key] for it in its], "o-", color=color, label=key.replace("_", " "))
    ax1.set_xlabel("iteration")
    ax1.set_ylabel("fraction of explored frames")
    ax1.set_ylim(-0.02, 1.02)
    ax1.legend()
    ax2.plot(x, [number(it.get("validation_force_rmse_meV_per_A")) for it in its], "o-", label="validation")
    ax2.plot(x, [number(it.get("test", {}).get("force_rmse_meV_per_A")) for it in its], "s--", label="test")
    ax2b = ax2.twinx()
    ax2b.bar(x, [it.get("labels_added", 0) for it in its], alpha=0.25, color="gray", label="labels added")
    ax2.set_xlabel("iteration")
    ax2.set_ylabel("force RMSE (meV/Å)")
    ax2b.set_ylabel("labels added")
    ax2.legend(loc="upper right")
    fig.suptitle(state["stopped"] or "running", fontsize=9)
    fig.tight_layout()
    save_figure(fig, path, dpi=110)
    return str(path)
