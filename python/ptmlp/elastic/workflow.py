"""``ptmlp elastic`` as a function: a validated :class:`~ptmlp.elastic.config.ElasticConfig` -> C_ij at
each (P, T), summary.json and plots (``ptmlp elastic --example`` prints every key)."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Optional

import numpy as np

from ..jsonfile import write_json
from ..relax import check_stress_fitted
from ..workflow_log import print_progress, recorded_warnings
from .config import ElasticConfig


def run_elastic(cfg: ElasticConfig, outdir: Optional[Path] = None, log: Callable[[str], None] = print_progress) -> dict:
    """Run every (P, T) state of ``cfg``; write summary.json and plots to ``outdir`` (default ``cfg.outdir``)."""
    from .md import elastic_md
    from .plots import plot_cij, plot_velocities_prem
    from .static import elastic_static

    pot = cfg.potential
    atoms = cfg.structure.load(pot.type_names)
    type_names = pot.species_for(atoms.get_chemical_symbols())
    pressures, temps = cfg.pressures_GPa, cfg.temperatures_K
    out = Path(outdir or cfg.outdir)
    out.mkdir(parents=True, exist_ok=True)
    calc = pot.ase_calculator_instance(type_names) if min(temps) == 0 else None
    st, md = cfg.static, cfg.md
    states = []
    for temp in temps:
        for p in pressures:
            with recorded_warnings(log) as caught:
                check_stress_fitted(pot, "elastic constants")
                if temp == 0:
                    log(f"elastic: static C_ij at P = {p:g} GPa ({pot.name})")
                    res = elastic_static(atoms, calc, pressure_GPa=p, symmetry=cfg.symmetry, symprec_A=cfg.symprec_A,
                                         strain=st.strain, n_amplitudes=st.n_amplitudes, relax_ions=st.relax_ions,
                                         fmax_eV_per_A=st.fmax_eV_per_A,
                                         training_pressure_range_GPa=pot.training_pressure_range_GPa)
                else:
                    log(f"elastic: MD C_ij at T = {temp:g} K, P = {p:g} GPa ({pot.name}) in LAMMPS")
                    res = elastic_md(atoms, pot, out / f"md_T{temp:g}K_P{p:g}GPa", temperature_K=temp, pressure_GPa=p,
                                     supercell=md.supercell, strain=md.strain, seeds=md.seeds,
                                     steps=md.steps.to_dict(), timestep_ps=md.timestep_ps, nprocs=md.nprocs,
                                     symmetry=cfg.symmetry, symprec_A=cfg.symprec_A, barostat=md.barostat)
                summary = res.summary()
                summary["direction_velocities"] = res.direction_velocities(cfg.directions)
            summary["warnings"] = caught
            states.append(summary)
            log(_state_line(summary))
    result = {"potential": pot.name, "structure_formula": atoms.get_chemical_formula(), "states": states}
    write_json(out / "summary.json", result)
    if len(pressures) > 1:
        for temp in temps:
            sel = [s for s, t in zip(states, np.repeat(temps, len(pressures))) if t == temp]
            plot_cij(out / f"cij_vs_pressure_T{temp:g}K.png", sel, "pressure_GPa", "pressure (GPa)",
                     f"{pot.name}, T = {temp:g} K")
    if len(temps) > 1:
        for p in pressures:
            sel = [s for s, pp in zip(states, np.tile(pressures, len(temps))) if pp == p]
            plot_cij(out / f"cij_vs_temperature_P{p:g}GPa.png", sel, "temperature_K", "temperature (K)",
                     f"{pot.name}, P = {p:g} GPa")
    plot_velocities_prem(out / "velocities_vs_prem.png", states, f"{pot.name}: isotropic (VRH) velocities vs PREM")
    log(f"elastic: wrote {out / 'summary.json'} and plots")
    return result


def _state_line(summary: dict) -> str:
    """One log line per state: independent constants, isotropic velocities, Born stability."""
    ind = ", ".join(f"{k} {v:.1f}±{summary['independent_constants_err_GPa'][k]:.1f}"
                    for k, v in summary["independent_constants_GPa"].items())
    born = "stable" if summary["born_stability"]["stable"] else "UNSTABLE (Born criteria fail)"
    vel = summary["velocities"]
    return (f"  P = {summary['pressure_GPa']:.2f} GPa, T = {summary['temperature_K']:.0f} K: {ind} GPa; "
            f"V_P {vel['vp_km_per_s']:.3f}, V_S {vel['vs_km_per_s']:.3f} km/s; {born}")
