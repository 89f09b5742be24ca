"""Stage report: the tables, the anchors, the plot and the README section text of the campaign.

Everything is read from the stages' result files; a stage that has not run yet shows as "pending",
so ``--only report`` can be run at any time for a progress report.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from ...atomic import atomic_write_text
from ...errors import InputError
from ...jsonfile import read_json
from ...uncertainty import format_with_error
from .melting import curve_band
from .pipeline import RESULT_FILE, stage_rows

#: published first-principles work on the melting of Al that this session could find; their numbers
#: were not readable here (abstracts only), so none is quoted or plotted
LITERATURE = [
    "L. Vočadlo and D. Alfè, Ab initio melting curve of the fcc phase of aluminum, Phys. Rev. B 65, 214105 "
    "(2002): GGA free energies of solid and liquid, 0 to ~150 GPa, in good agreement with static and shock data "
    "(abstract)",
    "J. Bouchet, F. Bottin, G. Jomard and G. Zérah, Melting curve of aluminum up to 300 GPa obtained through ab "
    "initio molecular dynamics simulations, Phys. Rev. B 80, 094102 (2009): GGA, one-phase, two-phase, hysteresis "
    "and Z methods (abstract)",
    "L.-F. Zhu, F. Körmann, A. V. Ruban, J. Neugebauer and B. Grabowski, Phys. Rev. B 101, 144108 (2020): LDA and "
    "GGA melting properties of Al bracket the experimental melting point, enthalpy and entropy of fusion (abstract)",
]
FUNCTIONAL_BIAS = ("LDA overbinds: it gives Al a smaller volume and a larger bulk modulus than experiment, and "
                   "LDA and GGA melting points bracket the experimental one (Zhu et al. 2020); an LDA T_m above "
                   "933.5 K at 0 GPa is the expected sign of the functional's bias, not an error of the workflow")


def _maybe(ctx, stage: str):
    path = ctx.work / stage / RESULT_FILE
    return read_json(path) if path.exists() else None


def _fmt(v, e, unit="", digits=2) -> str:
    return "pending" if v is None else format_with_error(v, e, unit, digits)


def wall_time_table(ctx) -> str:
    lines = ["| stage | status | wall time (h) | CPU time, process + children (h) |", "|---|---|---|---|"]
    for r in stage_rows(ctx.work):
        lines.append(f"| {r['stage']}: {r['what']} | {r['status']} | "
                     + " | ".join("—" if r[k] is None else f"{r[k]:.2f}" for k in ("wall_h", "cpu_h")) + " |")
    return "\n".join(lines)


def al_table(al: dict | None) -> str:
    if al is None:
        return "Active learning: pending."
    lines = ["| iteration | labels added | accurate | candidate | failed | val. F RMSE (meV/Å) | "
             "test E RMSE (meV/atom) | test F RMSE (meV/Å) | frames |", "|---|---|---|---|---|---|---|---|---|"]
    for it in al["iterations"]:
        t = it.get("test") or {}

        def f(v, fmt=".3f"):
            return "—" if v is None else format(v, fmt)
        lines.append(f"| {it['index']} | {it['labels_added']} | {f(it['accurate_fraction'])} | "
                     f"{f(it['candidate_fraction'])} | {f(it['failed_fraction'])} | "
                     f"{f(it['validation_force_rmse_meV_per_A'], '.0f')} | {f(t.get('energy_rmse_meV_per_atom'), '.1f')} | "
                     f"{f(t.get('force_rmse_meV_per_A'), '.0f')} | {it.get('dataset_frames') or '—'} |")
    lines.append(f"\nStopped: {al['stopped']}")
    return "\n".join(lines)


def held_out_table(train: dict | None, te_blind_K: float) -> str:
    if train is None:
        return "Held-out errors: pending."
    lines = ["| P (GPa) | T = T_e (K) | test frames | aware E / F / P RMSE | blind E / F / P RMSE | "
             f"DFT F(T_e=T) − F(T_e={te_blind_K:g} K) (meV/atom) |", "|---|---|---|---|---|---|"]
    fe = train["dft_electronic_free_energy_by_point"]
    for key, a in train["held_out_by_point"]["aware"].items():
        b = train["held_out_by_point"]["blind"].get(key, {})

        def trio(r):
            if not r:
                return "—"
            p = r.get("pressure_rmse_GPa")
            return (f"{r['energy_rmse_meV_per_atom']:.1f} meV/atom / {r['force_rmse_meV_per_A']:.0f} meV/Å / "
                    + ("—" if p is None else f"{p:.2f} GPa"))
        e = fe.get(key, {})
        lines.append(f"| {a['pressure_GPa']:g} | {a['temperature_K']:g} | {a['n_frames']} | {trio(a)} | {trio(b)} | "
                     + (f"{e['mean_meV_per_atom']:.1f}" if e else "—") + " |")
    return "\n".join(lines)


def melting_table(ctx, melt: dict | None, entropy: dict | None, estimate: dict | None) -> str:
    lines = ["| P (GPa) | T_m estimate (K) | T_m T_e-aware (K) | T_m T_e-blind (K) | ΔT_m (K) | "
             "first-order ΔT_m from entropies (K) | S_e solid / liquid at T_m (k_B/atom) | ΔS_m (k_B/atom) |",
             "|---|---|---|---|---|---|---|---|"]
    est = {r["pressure_GPa"]: r for r in (estimate or {}).get("grid", [])}
    for p in ctx.cfg.pressures_GPa:
        def point(name):
            if melt is None:
                return None
            return next((r for r in melt["points"][name] if r["pressure_target_GPa"] == p), None)
        a, b = point("aware"), point("blind")
        d = next((x for x in (melt or {}).get("delta_T_m", []) if x["pressure_target_GPa"] == p), None)
        row = next((x for x in (entropy or {}).get("rows", []) if x["pressure_GPa"] == p), None)

        def tm(r):
            if r is None:
                return "pending"
            return r["error"] if "T_melt_K" not in r else _fmt(r["T_melt_K"], r["T_melt_err_K"], digits=2)
        se = "pending"
        ds = "pending"
        fo = "pending"
        if row and "aware" in row:
            s, l, dd = row["aware"]["solid"], row["aware"]["liquid"], row["aware"]["differences"]
            se = f"{s['S_e_kB_per_atom']:.3f} / {l['S_e_kB_per_atom']:.3f}"
            ds = _fmt(dd["delta_S_m_kB_per_atom"], dd["delta_S_m_err_kB_per_atom"])
        if row and "first_order_delta_T_m_K" in row:
            fo = _fmt(row["first_order_delta_T_m_K"], row["first_order_delta_T_m_err_K"])
        e = est.get(p)
        lines.append(f"| {p:g} | {'—' if e is None else format(e['T_m_estimate_K'], '.0f')} | {tm(a)} | {tm(b)} | "
                     f"{'pending' if d is None else _fmt(d['delta_T_m_K'], d['delta_T_m_err_K'])} | {fo} | {se} | {ds} |")
    return "\n".join(lines)


def anchors(ctx, melt: dict | None) -> dict:
    exp = ctx.cfg.experiment_T_m_K
    out = {"experiment_T_m_K": exp, "functional": ctx.cfg.dft.xc, "functional_bias": FUNCTIONAL_BIAS,
           "literature": LITERATURE, "literature_numbers_quoted": False}
    if melt is not None:
        for name in ("aware", "blind"):
            r = next((x for x in melt["points"][name] if x["pressure_target_GPa"] == 0.0 and "T_melt_K" in x), None)
            if r is not None:
                out[f"{name}_T_m_0GPa_K"] = r["T_melt_K"]
                out[f"{name}_T_m_0GPa_err_K"] = r["T_melt_err_K"]
                out[f"{name}_minus_experiment_K"] = r["T_melt_K"] - exp
    return out


def plot(ctx, melt: dict, entropy: dict | None, estimate: dict | None, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    grid = np.linspace(min(ctx.cfg.pressures_GPa), max(ctx.cfg.pressures_GPa), 200)
    for name, color, label in (("aware", "tab:red", "T_e-aware, F(R, T_e = T)"),
                               ("blind", "tab:blue", f"T_e-blind (T_e = {ctx.cfg.dft.te_blind_K:g} K)")):
        pts = [r for r in melt["points"][name] if "T_melt_K" in r]
        if pts:
            ax1.errorbar([r["pressure_GPa"] for r in pts], [r["T_melt_K"] for r in pts],
                         xerr=[r["pressure_err_GPa"] for r in pts], yerr=[r["T_melt_err_K"] for r in pts],
                         fmt="o", color=color, label=label, capsize=3)
        band = curve_band(melt["simon_glatzel"].get(name), grid)
        if band is not None:
            t, h = np.asarray(band["T_K"]), np.asarray(band["band_half_width_K"])
            ax1.plot(grid, t, color=color, lw=1)
            ax1.fill_between(grid, t - h, t + h, color=color, alpha=0.2, lw=0)
    if estimate is not None:
        ax1.plot([r["pressure_GPa"] for r in estimate["grid"]], [r["T_m_estimate_K"] for r in estimate["grid"]],
                 "k:", label="estimate (Lindemann, DFT cold curve)")
    ax1.plot([0.0], [ctx.cfg.experiment_T_m_K], "k*", ms=10, label="experiment, 0 GPa")
    ax1.set_xlabel("pressure (GPa)")
    ax1.set_ylabel("T_m (K)")
    ax1.legend(fontsize=8)
    d = melt.get("delta_T_m", [])
    if d:
        ax2.errorbar([x["pressure_GPa"] for x in d], [x["delta_T_m_K"] for x in d],
                     yerr=[x["delta_T_m_err_K"] for x in d], fmt="o", color="k", capsize=3,
                     label="ΔT_m = T_m(aware) − T_m(blind)")
    rows = [r for r in (entropy or {}).get("rows", []) if "first_order_delta_T_m_K" in r]
    if rows:
        ax2.errorbar([r["pressure_GPa"] for r in rows], [r["first_order_delta_T_m_K"] for r in rows],
                     yerr=[r["first_order_delta_T_m_err_K"] for r in rows], fmt="s", mfc="none", color="tab:green",
                     capsize=3, label="−T_m ΔS_e / (2 ΔS_m)")
    ax2.axhline(0.0, color="gray", lw=0.8)
    ax2.set_xlabel("pressure (GPa)")
    ax2.set_ylabel("ΔT_m (K)")
    if ax2.get_legend_handles_labels()[0]:
        ax2.legend(fontsize=8)
    fig.suptitle("Electronic entropy and the melting of Al (bands: Simon-Glatzel fit, 68 %)", fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def readme_section(ctx, parts: dict) -> str:
    conv = parts.get("convergence")
    return "\n\n".join([
        "## Electronic entropy and the melting of Al",
        "Generated by `python -m ptmlp.demo.al_melting_te` (stage report) from the campaign in "
        f"`{ctx.work}`; GPAW {ctx.cfg.dft.xc}, Fermi-Dirac occupations, T_e-aware labels at T_e = T_ion, T_e-blind "
        f"labels of the same configurations at T_e = {ctx.cfg.dft.te_blind_K:g} K.",
        "### Convergence at the highest density", conv["table_markdown"] if conv else "pending",
        "### Active learning", al_table(parts.get("active_learning")),
        "### Held-out errors", held_out_table(parts.get("train"), ctx.cfg.dft.te_blind_K),
        "### Melting curves", melting_table(ctx, parts.get("melt"), parts.get("entropy"), parts.get("estimate")),
        "### Anchors", f"Experiment: {ctx.cfg.experiment_T_m_K:g} K at 0 GPa. {FUNCTIONAL_BIAS}.\n\n"
        + "\n".join(f"- {x}" for x in LITERATURE) + "\n\nNo published number is quoted: only abstracts were "
        "readable here.",
        "### Wall times", wall_time_table(ctx)])


def run_report(ctx, log=print) -> dict:
    parts = {s: _maybe(ctx, s) for s in ("eos", "convergence", "estimate", "initial", "active_learning", "relabel",
                                         "train", "melt", "entropy")}
    work = ctx.dir("report")
    figure = None
    if parts["melt"] is not None:
        figure = str(plot(ctx, parts["melt"], parts["entropy"], parts["estimate"], work / "melting_curves.png"))
    text = readme_section(ctx, parts)
    atomic_write_text(work / "README_section.md", text + "\n")
    log(f"wrote {work / 'README_section.md'}" + (f" and {figure}" if figure else ""))
    missing = [s for s, v in parts.items() if v is None]
    return ctx.save_result("report", {"readme_section": str(work / "README_section.md"), "plot": figure,
                                      "anchors": anchors(ctx, parts["melt"]), "pending_stages": missing})


def progress_report(ctx) -> str:
    """The README section as it stands (any stage may be pending); never fails on a missing stage."""
    try:
        return readme_section(ctx, {s: _maybe(ctx, s) for s in ("convergence", "estimate", "active_learning",
                                                                "train", "melt", "entropy")})
    except (InputError, KeyError) as exc:
        return f"report not available yet: {exc}"


