"""``ptmlp elastic`` as a function: validated config -> C_ij at each (P, T), summary.json, plots.

Config (YAML), every key optional unless marked::

    structure: {build: {symbol: Fe, crystalstructure: bcc, a_A: 2.8553, cubic: true}}   # required
    potential: {model: demo}                    # required; or pair_style/pair_coeff/species/cutoff_A
    pressures_GPa: [0, 50]                      # states; default [0]
    temperatures_K: [0]                         # 0 -> static (0 K, relaxed ions), > 0 -> MD (LAMMPS)
    symmetry: auto                              # auto | none | cubic | hexagonal | ... (must match)
    directions: [[1,0,0], [1,1,0], [1,1,1]]     # Christoffel velocities along these
    static: {strain: 0.005, n_amplitudes: 2, relax_ions: true, fmax_eV_per_A: 1.0e-5}
    md: {supercell: auto, strain: 0.01, seeds: [1, 2], timestep_ps: 0.001, nprocs: 1,
         barostat: null, steps: {nequil: 5000, navg: 5000, nequil_strain: 1000, nrun: 10000, nevery: 10}}
    outdir: elastic_out
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np

from ..errors import InputError
from .config import build_potential, build_structure, check_keys, number

TOP_KEYS = {"structure", "potential", "pressures_GPa", "temperatures_K", "symmetry", "directions", "static",
            "md", "outdir", "symprec"}
STATIC_KEYS = {"strain", "n_amplitudes", "relax_ions", "fmax_eV_per_A"}
MD_KEYS = {"supercell", "strain", "seeds", "timestep_ps", "nprocs", "barostat", "steps"}


def _float_list(cfg: dict, key: str, default: list) -> list[float]:
    value = cfg.get(key, default)
    values = value if isinstance(value, (list, tuple)) else [value]
    try:
        out = [float(v) for v in values]
    except (TypeError, ValueError):
        raise InputError(f"{key} must be a number or a list of numbers, got {value!r}") from None
    if not out:
        raise InputError(f"{key} must not be empty")
    return out


def run_elastic(cfg: dict, base_dir: Path, outdir: Path | None = None, log=None) -> dict:
    """Run every (P, T) state of ``cfg``; write summary.json and plots to the output folder."""
    log = log or print_progress
    from .md import elastic_md
    from .plots import plot_cij, plot_velocities_prem
    from .static import elastic_static

    cfg = check_keys(cfg, TOP_KEYS, "the elastic config", {"structure", "potential"})
    atoms = build_structure(cfg["structure"], base_dir)
    pot = build_potential(cfg["potential"], "potential", base_dir)
    pot.check_species(atoms)
    pressures = _float_list(cfg, "pressures_GPa", [0.0])
    temps = _float_list(cfg, "temperatures_K", [0.0])
    if min(temps) < 0:
        raise InputError(f"temperatures_K {temps} must be >= 0")
    symmetry = str(cfg.get("symmetry", "auto"))
    symprec = number(cfg, "symprec", 1e-3, "config", positive=True)
    static = check_keys(cfg.get("static"), STATIC_KEYS, "static")
    md = check_keys(cfg.get("md"), MD_KEYS, "md")
    directions = cfg.get("directions", [[1, 0, 0], [1, 1, 0], [1, 1, 1]])
    try:
        directions = [tuple(float(v) for v in d) for d in directions]
    except (TypeError, ValueError):
        raise InputError(f"directions must be a list of 3-vectors, got {directions!r}") from None
    if any(len(d) != 3 for d in directions):
        raise InputError(f"directions must be a list of 3-vectors, got {directions!r}")
    out = Path(outdir or cfg.get("outdir", "elastic_out"))
    out.mkdir(parents=True, exist_ok=True)
    calc = pot.ase_calculator() if min(temps) == 0 else None
    states = []
    for temp in temps:
        for p in pressures:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                if temp == 0:
                    log(f"elastic: static C_ij at P = {p:g} GPa ({pot.label})")
                    res = elastic_static(
                        atoms, calc, pressure_GPa=p, symmetry=symmetry, symprec=symprec,
                        strain=number(static, "strain", 0.005, "static", positive=True),
                        n_amplitudes=int(static.get("n_amplitudes", 2)),
                        relax_ions=bool(static.get("relax_ions", True)),
                        fmax_eV_per_A=number(static, "fmax_eV_per_A", 1e-5, "static", positive=True),
                        training_pressure_range_GPa=pot.training_pressure_range_GPa)
                else:
                    log(f"elastic: MD C_ij at T = {temp:g} K, P = {p:g} GPa ({pot.label}) in LAMMPS")
                    steps = md.get("steps")
                    res = elastic_md(
                        atoms, pot, out / f"md_T{temp:g}K_P{p:g}GPa", temperature_K=temp, pressure_GPa=p,
                        supercell=md.get("supercell", "auto"),
                        strain=number(md, "strain", 0.01, "md", positive=True),
                        seeds=[int(s) for s in md.get("seeds", [4928459, 7238117])],
                        steps=None if steps is None else check_keys(steps, {"nequil", "navg", "nequil_strain",
                                                                            "nrun", "nevery"}, "md.steps"),
                        timestep_ps=number(md, "timestep_ps", 0.001, "md", positive=True),
                        nprocs=int(md.get("nprocs", 1)), symmetry=symmetry, symprec=symprec,
                        barostat=md.get("barostat"))
            summary = res.summary()
            summary["direction_velocities"] = res.direction_velocities(directions)
            summary["warnings"] = [str(w.message) for w in caught if not is_noise(w)]
            for msg in summary["warnings"]:
                log(f"warning: {msg}")
            states.append(summary)
            ind = ", ".join(f"{k} {v:.1f}±{summary['independent_constants_err_GPa'][k]:.1f}"
                            for k, v in summary["independent_constants_GPa"].items())
            born = "stable" if summary["born_stability"]["stable"] else "UNSTABLE (Born criteria fail)"
            log(f"  P = {summary['pressure_GPa']:.2f} GPa, T = {summary['temperature_K']:.0f} K: {ind} GPa; "
                f"V_P {summary['velocities']['vp_km_per_s']:.3f}, V_S {summary['velocities']['vs_km_per_s']:.3f} "
                f"km/s; {born}")
    result = {"potential": pot.label, "structure_formula": atoms.get_chemical_formula(), "states": states}
    write_json(out / "summary.json", result)
    if len(pressures) > 1:
        for temp in temps:
            sel = [s for s, t in zip(states, np.repeat(temps, len(pressures))) if t == temp]
            plot_cij(out / f"cij_vs_pressure_T{temp:g}K.png", sel, "pressure_GPa", "pressure (GPa)",
                     f"{pot.label}, T = {temp:g} K")
    if len(temps) > 1:
        for p in pressures:
            sel = [s for s, pp in zip(states, np.tile(pressures, len(temps))) if pp == p]
            plot_cij(out / f"cij_vs_temperature_P{p:g}GPa.png", sel, "temperature_K", "temperature (K)",
                     f"{pot.label}, P = {p:g} GPa")
    plot_velocities_prem(out / "velocities_vs_prem.png", states, f"{pot.label}: isotropic (VRH) velocities vs PREM")
    log(f"elastic: wrote {out / 'summary.json'} and plots")
    return result


def write_json(path: Path, data: dict) -> None:
    """JSON with NaN/inf written as null (strict JSON readers reject NaN)."""
    path.write_text(json.dumps(_finite(data), indent=1, default=_json_default, allow_nan=False))


def _finite(obj):
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return _finite(obj.tolist())
    if isinstance(obj, (float, np.floating)) and not np.isfinite(obj):
        return None
    return obj


def _json_default(obj):
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, (np.floating, np.integer)):
        return obj.item()
    if isinstance(obj, np.bool_):
        return bool(obj)
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def print_progress(msg: str) -> None:
    print(msg, flush=True)  # progress lines must not lag behind errors on stderr


def is_noise(w) -> bool:
    """Library chatter that says nothing about the physics (deprecations, spglib's error-handling note)."""
    return (issubclass(w.category, (DeprecationWarning, PendingDeprecationWarning))
            or "OLD_ERROR_HANDLING" in str(w.message))
