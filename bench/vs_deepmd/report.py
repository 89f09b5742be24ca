"""The bench tables (markdown) from the step results in <work>/results/*.json."""

from __future__ import annotations

from pathlib import Path

from common import read_json

LABELS = {"eam_fs": "eam/fs", "deepmd_frozen": "DeePMD se_e2_a", "deepmd_compressed": "DeePMD se_e2_a compressed",
          "ptmlp": "ptmlp"}


def _get(results: Path, name: str):
    p = results / f"{name}.json"
    return read_json(p) if p.exists() else None


def _ratio(a: dict, b: dict) -> str:
    """a/b speed ratio with its uncertainty from both repeat spreads (relative errors added)."""
    r = a["katom_step_per_s"] / b["katom_step_per_s"]
    rel = a["katom_step_per_s_spread"] / a["katom_step_per_s"] + b["katom_step_per_s_spread"] / b["katom_step_per_s"]
    return f"{r:.3g} ± {r * rel:.2g}"


def accuracy_table(results: Path) -> list[str]:
    acc, dp, pt = _get(results, "accuracy"), _get(results, "train_deepmd"), _get(results, "train_ptmlp")
    if not acc:
        return []
    lines = [f"Accuracy on {acc['test_frames']} test frames (trajectories never seen in training):", "",
             "| model | E RMSE (meV/atom) | F RMSE (meV/Å) | F RMSE / F std | training (wall s) | training length |",
             "|---|---|---|---|---|---|"]
    train = {"deepmd_frozen": dp, "deepmd_compressed": dp, "ptmlp": pt}
    for name, m in acc["models"].items():
        t = train.get(name) or {}
        length = (f"{t.get('steps_done')} steps" if name.startswith("deepmd")
                  else f"{t.get('epochs_run')} epochs") if t else ""
        lines.append(f"| {LABELS.get(name, name)} | {m['energy_rmse_meV_per_atom']:.2f} | "
                     f"{m['force_rmse_meV_per_A']:.1f} | {m['force_rmse_over_std']:.3f} | "
                     f"{t.get('train_wall_s', '')} | {length} |")
    return lines + [""]


def speed_tables(results: Path, sizes, nprocs) -> list[str]:
    runs = {(n, p): _get(results, f"speed_n{n}_np{p}") for n in sizes for p in nprocs}
    if not any(runs.values()):
        return []
    styles = next(r for r in runs.values() if r)["styles"].keys()
    lines = ["Speed (katom-step/s, fastest of the rounds ± spread; one lmp run per row, all styles in it):", "",
             "| atoms | ranks | " + " | ".join(LABELS[s] for s in styles) +
             " | ptmlp/DeePMD | ptmlp/DeePMD-compressed | ptmlp/EAM | load avg (start→end) |",
             "|---|---|" + "---|" * (len(styles) + 4)]
    for (n, p), r in runs.items():
        if not r:
            continue
        s = r["styles"]
        cells = [f"{s[k]['katom_step_per_s']:.3g} ± {s[k]['katom_step_per_s_spread']:.2g}" for k in styles]
        ratios = [_ratio(s["ptmlp"], s[o]) if "ptmlp" in s and o in s else "" for o in
                  ("deepmd_frozen", "deepmd_compressed", "eam_fs")]
        lines.append(f"| {n} | {p} | " + " | ".join(cells + ratios) +
                     f" | {r['load_average_start'][0]}→{r['load_average_end'][0]} |")
    first = next(r for r in runs.values() if r)["styles"]
    lines += ["", "Sanity (same run, step 0, perfect bcc lattice at a = 2.855 Å, 1200 K velocities): potential "
              "energy " + ", ".join(f"{LABELS[k]} {first[k]['lattice_pe_eV_per_atom']:.4f}" for k in styles)
              + " eV/atom."]
    lines += ["", "MPI efficiency 1→2 ranks (rate(2) / (2 rate(1))):", "",
              "| atoms | " + " | ".join(LABELS[s] for s in styles) + " |", "|---|" + "---|" * len(styles)]
    for n in sizes:
        r1, r2 = runs.get((n, 1)), runs.get((n, 2))
        if r1 and r2:
            lines.append(f"| {n} | " + " | ".join(
                f"{r2['styles'][k]['katom_step_per_s'] / (2 * r1['styles'][k]['katom_step_per_s']):.0%}"
                for k in styles) + " |")
    return lines + [""]


def memory_table(results: Path, styles, sizes) -> list[str]:
    rows = []
    for s in styles:
        m = {n: _get(results, f"memory_{s}_n{n}") for n in sizes}
        if not any(m.values()):
            continue
        big, small = max(sizes), min(sizes)
        marg = ""
        if m.get(big) and m.get(small) and big != small:
            marg = f"{(m[big]['peak_rss_MiB'] - m[small]['peak_rss_MiB']) * 1024 / (big - small):.1f}"
        cells = [f"{m[n]['peak_rss_MiB']:.0f}" if m[n] else "" for n in sizes]
        per = f"{m[big]['peak_rss_kiB_per_atom']:.1f}" if m.get(big) else ""
        rows.append(f"| {LABELS[s]} | " + " | ".join(cells) + f" | {per} | {marg} |")
    if not rows:
        return []
    return (["Memory (1 rank, peak RSS of the whole lmp process):", "",
             "| pair style | " + " | ".join(f"peak RSS {n} atoms (MiB)" for n in sizes) +
             f" | peak RSS / atom at {max(sizes)} (KiB) | marginal (KiB/atom) |",
             "|---|" + "---|" * (len(sizes) + 2)] + rows + [""])


def report(results: Path, sizes, nprocs, styles) -> str:
    data = _get(results, "data")
    head = []
    if data:
        head = [f"Data: {data['n_frames']} frames of {data['atoms_per_frame']} Fe atoms labelled by Fe_mm.eam.fs; "
                f"split {data['frames_per_split']}", ""]
    return "\n".join(head + accuracy_table(results) + speed_tables(results, sizes, nprocs)
                     + memory_table(results, styles, sizes))
