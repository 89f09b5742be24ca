"""Tables (markdown + JSON) and Pareto plots from <work>/results/*.json."""

from __future__ import annotations

import json
from pathlib import Path

from common import read_json, write_json

#: the speed the Pareto plots use: 2000-atom box, 1 rank, 1 thread
PARETO_SPEED = ("2000", "np1")


def _get(results: Path, name: str):
    p = results / f"{name}.json"
    return read_json(p) if p.exists() else None


def _f(x, fmt="{:.3g}") -> str:
    return "–" if x is None else fmt.format(x)


def collect(work: Path, models, args) -> dict:
    res = work / "results"
    data = _get(res, "data") or {}
    boxes = {str(b["target_atoms"]): b for b in (_get(res, p.stem) for p in sorted(res.glob("box_n*.json"))) if b}
    boxes = dict(sorted(boxes.items(), key=lambda kv: int(kv[0])))
    rows = []
    for m in models:
        row = {"model": m.name, "label": m.label, "family": m.family, "route": m.route,
               "venv": m.venv or "project"}
        for kind in ("unavailable", "failed"):
            r = _get(res, f"{kind}_{m.name}")
            if r:
                row[kind] = r.get("why") or r.get("error", "")[-400:]
        train, sc = _get(res, f"train_{m.name}"), _get(res, f"score_{m.name}")
        if train:
            row["train_wall_s"] = train.get("train_wall_s")
            row["training"] = train.get("training", "")
            row["train_load_average"] = [train.get("load_average_start"), train.get("load_average_end")]
        if sc:
            row["test"], row["validation"] = sc["test"], sc["validation"]
        speed = {}
        for n in boxes:
            for mode in ("np1", "np2", "omp2"):
                t = _get(res, f"time_{m.name}_n{n}_{mode}")
                if t:
                    speed.setdefault(n, {})[mode] = {k: t.get(k) for k in (
                        "us_per_atom_step", "us_per_atom_step_spread", "katom_step_per_s", "atoms", "steps",
                        "cpu_us_per_atom_step", "cpu_us_per_atom_step_spread", "cpu_fraction_of_fastest_round",
                        "route", "not_run", "load_average_start", "load_average_end")}
        row["speed"] = speed
        if not (any(k in row for k in ("test", "unavailable", "failed", "train_wall_s")) or speed):
            row["not_run"] = f"no results yet (run.py --models {m.name})"
        rows.append(row)
    return {"data": data.get("data"), "frames": data.get("frames"), "frames_per_group": data.get("frames_per_group"),
            "boxes": boxes, "stress_sign_check": data.get("stress_sign_check"),
            "environment": _get(res, "environment"), "models": rows}


def _speed_cell(row, n, mode) -> str:
    s = (row.get("speed") or {}).get(n, {}).get(mode)
    if not s:
        return "–"
    if s.get("not_run"):
        return "n/a"
    tag = " (ASE)" if s.get("route") == "ase" else ""
    return f"{s['us_per_atom_step']:.3g} ({s['cpu_us_per_atom_step']:.3g}){tag}"


def markdown(table: dict) -> str:
    boxes = table.get("boxes") or {}
    lines = [f"Data: `{table.get('data')}`; frames {table.get('frames')}; timing boxes "
             + ", ".join(f"{b['atoms']} atoms" for b in boxes.values()), ""]
    lines += ["Test-set errors (energy per atom, force components, stress components) and cost per atom-step: "
              "wall µs (CPU µs summed over ranks and threads), fastest of the timed rounds; np1 = 1 rank, "
              "np2 = 2 ranks, omp2 = 1 rank x 2 threads; n/a = no threaded kernel; (ASE) = ASE route:", ""]
    cols = [(n, mode) for n in boxes for mode in ("np1", "np2", "omp2")]
    head = ["model", "E RMSE meV/atom", "E MAE", "F RMSE meV/Å", "F MAE", "σ RMSE GPa", "train wall s"]
    head += [f"{boxes[n]['atoms']} {mode}" for n, mode in cols]
    lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in table["models"]:
        if row.get("not_run") or row.get("unavailable"):
            continue
        t = (row.get("test") or {}).get("all") or {}
        cells = [row["label"], _f(t.get("energy_rmse_meV_per_atom")), _f(t.get("energy_mae_meV_per_atom")),
                 _f(t.get("force_rmse_meV_per_A")), _f(t.get("force_mae_meV_per_A")), _f(t.get("stress_rmse_GPa")),
                 _f(row.get("train_wall_s"), "{:.0f}")]
        cells += [_speed_cell(row, n, mode) for n, mode in cols]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "Test-set RMSE per group (E meV/atom / F meV/Å / σ GPa):", ""]
    groups = sorted({g for row in table["models"] for g in ((row.get("test") or {}).get("per_group") or {})})
    lines += ["| model | " + " | ".join(groups) + " |", "|---|" + "---|" * len(groups)]
    for row in table["models"]:
        pg = (row.get("test") or {}).get("per_group") or {}
        if not pg:
            continue
        lines.append(f"| {row['label']} | " + " | ".join(
            f"{_f(pg[g]['energy_rmse_meV_per_atom'])} / {_f(pg[g]['force_rmse_meV_per_A'])} / "
            f"{_f(pg[g]['stress_rmse_GPa'])}" if g in pg else "–" for g in groups) + " |")
    lines += ["", "Validation-set RMSE (E meV/atom / F meV/Å), training and load:", "",
              "| model | validation E / F | training | load avg during training | load avg during 2000-atom np1 timing |",
              "|---|---|---|---|---|"]
    for row in table["models"]:
        if not row.get("validation"):
            continue
        v = (row.get("validation") or {}).get("all") or {}
        s = (row.get("speed") or {}).get(PARETO_SPEED[0], {}).get(PARETO_SPEED[1]) or {}
        la = row.get("train_load_average") or [None, None]
        lines.append(f"| {row['label']} | {_f(v.get('energy_rmse_meV_per_atom'))} / "
                     f"{_f(v.get('force_rmse_meV_per_A'))} | {row.get('training', '')} | "
                     f"{(la[0] or ['–'])[0]}→{(la[1] or ['–'])[0]} | "
                     f"{(s.get('load_average_start') or ['–'])[0]}→{(s.get('load_average_end') or ['–'])[0]} |")
    lines += targets(table)
    missing = [r for r in table["models"] if r.get("unavailable") or r.get("failed") or r.get("not_run")]
    if missing:
        lines += ["", "Not run:", ""] + [
            f"* {r['label']}: {r.get('unavailable') or r.get('not_run') or 'failed: ' + r['failed']}" for r in missing]
    return "\n".join(lines) + "\n"


def _point(row) -> tuple | None:
    t = (row.get("test") or {}).get("all") or {}
    s = (row.get("speed") or {}).get(PARETO_SPEED[0], {}).get(PARETO_SPEED[1]) or {}
    if t.get("force_rmse_meV_per_A") is None or not s.get("cpu_us_per_atom_step"):
        return None
    return s["cpu_us_per_atom_step"], t["energy_rmse_meV_per_atom"], t["force_rmse_meV_per_A"]


def targets(table: dict) -> list[str]:
    """The issue's three bars, evaluated on the rows that have errors and a 2000-atom np1 cost."""
    pts = {r["label"]: (r, _point(r)) for r in table["models"] if _point(r)}
    ours = {k: v for k, v in pts.items() if v[0]["family"].startswith("ptmlp")}
    peers = {k: v for k, v in pts.items() if not v[0]["family"].startswith("ptmlp")}
    if not ours or not peers:
        return []
    out = ["", "Targets of issue 21 on these rows (cost = CPU µs per atom-step, 2000 atoms, 1 rank):", ""]
    for name, (_, (c, e, f)) in ours.items():
        beaten = [p for p, (_, (pc, pe, pf)) in peers.items() if pc < c and pe < e and pf < f]
        out.append(f"* {name}: " + (f"dominated by {', '.join(beaten)}" if beaten else "no peer is faster with lower E and F"))
    snap = [v[1] for k, v in peers.items() if v[0]["model"] == "snap"]
    linear = [v[1] for k, v in peers.items() if v[0]["family"] in ("SNAP", "POD", "UF3") and v[0]["model"] != "snap"]
    if snap and linear:
        fast = [(k, p) for k, (_, p) in ours.items() if p[0] <= snap[0][0]]
        e_best, f_best = min(p[1] for p in linear), min(p[2] for p in linear)
        ok = [k for k, p in fast if p[1] < e_best and p[2] < f_best]
        out.append(f"* at SNAP's cost ({snap[0][0]:.3g} µs) or less, lower E and F than every qSNAP/POD/UF3 row "
                   f"(best {e_best:.3g} meV/atom, {f_best:.3g} meV/Å): " + (", ".join(ok) if ok else "none yet"))
    best_name, (_, best) = min(peers.items(), key=lambda kv: kv[1][1][2])
    near = [(k, best[0] / p[0]) for k, (_, p) in ours.items() if p[2] <= 1.2 * best[2]]
    out.append(f"* within 1.2x of the most accurate peer's force RMSE ({best_name}, {best[2]:.3g} meV/Å): "
               + (", ".join(f"{k} at {r:.3g}x its speed" for k, r in near) if near else "no ptmlp row yet"))
    return out


def plots(table: dict, folder: Path, title: str) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = []
    markers = {"SNAP": "s", "POD": "D", "UF3": "v", "ptmlp v1": "o", "ptmlp v2": "*", "DeePMD": "^",
               "MACE": "P", "NequIP": "X", "Allegro": "h"}
    for key, ylabel, fname in (("force_rmse_meV_per_A", "force RMSE (meV/Å)", "pareto_force.png"),
                               ("energy_rmse_meV_per_atom", "energy RMSE (meV/atom)", "pareto_energy.png")):
        fig, ax = plt.subplots(figsize=(7, 5))
        points = []
        for row in table["models"]:
            t = ((row.get("test") or {}).get("all") or {}).get(key)
            s = (row.get("speed") or {}).get(PARETO_SPEED[0], {}).get(PARETO_SPEED[1]) or {}
            if t is None or not s.get("cpu_us_per_atom_step"):
                continue
            label = row["label"] + (" [ASE]" if s.get("route") == "ase" else "")
            ax.errorbar(s["cpu_us_per_atom_step"], t, xerr=[[0], [s.get("cpu_us_per_atom_step_spread") or 0]],
                        marker=markers.get(row["family"], "o"), ms=8, ls="none", label=label)
            points.append((s["cpu_us_per_atom_step"], t))
        front = pareto_front(points)
        if len(front) > 1:
            ax.step(*zip(*front), where="post", ls="--", color="0.5", lw=1, label="front (no point faster and better)")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel(f"CPU µs per atom-step ({table['boxes'][PARETO_SPEED[0]]['atoms']} atoms, 1 rank, 1 thread)"
                      if table.get("boxes") and PARETO_SPEED[0] in table["boxes"] else "CPU µs per atom-step")
        ax.set_ylabel(f"test {ylabel}")
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7, loc="best")
        fig.tight_layout()
        fig.savefig(folder / fname, dpi=120)
        plt.close(fig)
        out.append(folder / fname)
    return out


def pareto_front(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The points no other point beats in both cost and error, by increasing cost."""
    front, best = [], float("inf")
    for x, y in sorted(points):
        if y < best:
            front.append((x, y))
            best = y
    return front


def report(work: Path, models, args) -> None:
    res = work / "results"
    table = collect(work, models, args)
    write_json(res / "table.json", table)
    text = markdown(table)
    (res / "table.md").write_text(text)
    plots(table, res, f"{Path(table.get('data') or work.name).name}: test error vs MD cost")
    print(text)
    print(f"[frontier] {res / 'table.md'}, table.json, pareto_force.png, pareto_energy.png")
    json.dumps(table)  # strict-JSON check happened in write_json
