"""``ptmlp phonons`` as a function: validated config -> phonons, plots, summary.json.

Config (YAML), every key optional unless marked::

    structure: {build: {symbol: Fe, crystalstructure: bcc, a_A: 2.8553, cubic: true}}   # required
    potential: {model: demo}             # required; or pair_style/pair_coeff/species/cutoff_A
    reference: {pair_style: eam/fs, pair_coeff: "* * {potentials}/Fe_mm.eam.fs Fe", species: [Fe],
                cutoff_A: 5.3}           # comparison mode: same phonons from this, RMSE, shared plot
    pressure_GPa: 0.0                    # relax to this pressure first; null: use the structure as is
    supercell: auto                      # or [4, 4, 4] or a 3x3 matrix (>= 2 x cutoff wide)
    displacement_A: 0.01
    band_npoints: 51
    band_path: null                      # ASE path string, e.g. "GXWKGLUWLK,UX"; default: standard
    mesh: [20, 20, 20]
    temperatures_K: {min: 0, max: 2000, step: 50}
    imaginary_tol_THz: 0.05
    error_estimate: true                 # repeat with 2x displacement; report the frequency change
    qha: {volume_strains: [-0.04, -0.02, 0, 0.02, 0.04, 0.06], t_max_K: 1500, t_step_K: 10, classical: false}
    outdir: phonons_out
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from ..elastic.config import build_potential, build_structure, check_keys, number
from ..elastic.workflow import is_noise, print_progress, write_json
from ..errors import InputError

TOP_KEYS = {"structure", "potential", "reference", "pressure_GPa", "supercell", "displacement_A", "band_npoints",
            "band_path", "mesh", "temperatures_K", "imaginary_tol_THz", "error_estimate", "qha", "outdir"}
TEMP_KEYS = {"min", "max", "step"}
QHA_KEYS = {"volume_strains", "t_max_K", "t_step_K", "classical"}


def _mesh(cfg) -> list[int]:
    mesh = cfg.get("mesh", [20, 20, 20])
    try:
        mesh = [int(v) for v in (mesh if isinstance(mesh, (list, tuple)) else [mesh] * 3)]
    except (TypeError, ValueError):
        raise InputError(f"mesh must be three positive integers, got {mesh!r}") from None
    if len(mesh) != 3 or min(mesh) < 1:
        raise InputError(f"mesh must be three positive integers, got {mesh!r}")
    return mesh


def _at_special_points(model, band) -> dict:
    """Frequencies (THz) at the labelled points of the path."""
    from .properties import pretty_label

    out = {}
    for (a, b), q in zip(band.segment_labels, band.qpoints):
        for name, qq in ((a, q[0]), (b, q[-1])):
            out.setdefault(pretty_label(name), np.round(model.frequencies_THz([qq])[0], 4).tolist())
    return out


def run_phonons(cfg: dict, base_dir: Path, outdir: Path | None = None, log=None) -> dict:
    from .compare import compare_phonons
    from .harmonic import compute_phonons
    from .plots import plot_bands_dos, plot_qha
    from .properties import band_structure, imaginary_modes, thermal_properties, total_dos
    from .qha import run_qha

    log = log or print_progress
    cfg = check_keys(cfg, TOP_KEYS, "the phonons config", {"structure", "potential"})
    atoms = build_structure(cfg["structure"], base_dir)
    pot = build_potential(cfg["potential"], "potential", base_dir)
    pot.check_species(atoms)
    ref = build_potential(cfg["reference"], "reference", base_dir) if cfg.get("reference") else None
    pressure = number(cfg, "pressure_GPa", 0.0, "config", allow_none=True)
    disp = number(cfg, "displacement_A", 0.01, "config", positive=True)
    npoints = int(cfg.get("band_npoints", 51))
    mesh = _mesh(cfg)
    tol = number(cfg, "imaginary_tol_THz", 0.05, "config", positive=True)
    tcfg = check_keys(cfg.get("temperatures_K"), TEMP_KEYS, "temperatures_K")
    temps = np.arange(number(tcfg, "min", 0.0, "temperatures_K"), number(tcfg, "max", 2000.0, "temperatures_K") + 1e-9,
                      number(tcfg, "step", 50.0, "temperatures_K", positive=True))
    supercell = cfg.get("supercell", "auto")
    known = [c for c in (pot.cutoff_A, None if ref is None else ref.cutoff_A) if c is not None]
    cutoff = max(known) if known else None  # the supercell must suit both potentials
    out = Path(outdir or cfg.get("outdir", "phonons_out"))
    out.mkdir(parents=True, exist_ok=True)
    calc = pot.ase_calculator()
    summary: dict = {"potential": pot.label, "structure_formula": atoms.get_chemical_formula()}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if ref is not None:
            log(f"phonons: {pot.label} vs reference {ref.label}")
            cmp = compare_phonons(atoms, calc, ref.ase_calculator(), pressure_GPa=pressure, supercell=supercell,
                                  cutoff_A=cutoff, displacement_A=disp, npoints=npoints, mesh=mesh,
                                  labels=(pot.label, ref.label),
                                  training_pressure_range_GPa=pot.training_pressure_range_GPa)
            model, band, dos = cmp.model, cmp.band_model, cmp.dos_model
            summary["comparison"] = cmp.metrics()
            summary["reference"] = {"label": ref.label,
                                    "max_frequency_THz": float(cmp.band_reference.all_frequencies().max()),
                                    "imaginary_modes": imaginary_modes(cmp.reference, cmp.band_reference,
                                                                       cmp.dos_reference, tol),
                                    "special_point_frequencies_THz": _at_special_points(cmp.reference,
                                                                                        cmp.band_reference)}
            plot_bands_dos(out / "phonons_comparison.png", band, dos, band_ref=cmp.band_reference,
                           dos_ref=cmp.dos_reference, labels=(pot.label, ref.label),
                           title=f"{atoms.get_chemical_formula()}: {pot.label} vs {ref.label}, band RMSE "
                                 f"{summary['comparison']['band_rmse_THz']:.3f} THz")
        else:
            log(f"phonons: {pot.label}")
            model = compute_phonons(atoms, calc, supercell=supercell, cutoff_A=cutoff, displacement_A=disp,
                                    pressure_GPa=pressure, label=pot.label,
                                    training_pressure_range_GPa=pot.training_pressure_range_GPa)
            band = band_structure(model, npoints, cfg.get("band_path"))
            dos = total_dos(model, mesh)
        summary["imaginary_modes"] = imaginary_modes(model, band, dos, tol)
        summary["pressure_GPa"] = model.pressure_GPa
        summary["volume_A3_per_atom"] = float(model.unitcell.get_volume() / len(model.unitcell))
        summary["settings"] = {**model.settings, "mesh": mesh, "band_npoints": npoints, "band_path": band.path}
        summary["max_frequency_THz"] = float(band.all_frequencies().max())
        summary["special_point_frequencies_THz"] = _at_special_points(model, band)
        if bool(cfg.get("error_estimate", True)) and 2 * disp <= 0.1:
            m2 = compute_phonons(model.unitcell, calc, supercell=model.settings["supercell_matrix"], cutoff_A=cutoff,
                                 displacement_A=2 * disp, pressure_GPa=None, label=pot.label)
            f1 = band.all_frequencies()
            f2 = band_structure(m2, npoints, cfg.get("band_path")).all_frequencies()
            summary["frequency_err_THz"] = float(np.abs(f2 - f1).max())
            summary["frequency_err_note"] = "max |f(2 d) - f(d)| along the band path (finite-displacement error)"
        tp = thermal_properties(model, temps, mesh)
        summary["thermal"] = {k: np.round(v, 6).tolist() for k, v in tp.items()}
        plot_bands_dos(out / "phonons.png", band, dos,
                       title=f"{atoms.get_chemical_formula()} with {pot.label}, P = {model.pressure_GPa:.2f} GPa")
        model.phonopy.save(str(out / "phonopy_params.yaml"))
        if cfg.get("qha") is not None:
            q = check_keys(cfg["qha"], QHA_KEYS, "qha")
            log("phonons: quasi-harmonic approximation over volumes")
            t_max = number(q, "t_max_K", 1500.0, "qha", positive=True)
            t_step = number(q, "t_step_K", 10.0, "qha", positive=True)
            classical = bool(q.get("classical", False))
            qtemps = np.arange(t_step if classical else 0.0, t_max + t_step + 1e-9, t_step)
            qha = run_qha(atoms, calc, pressure_GPa=0.0 if pressure is None else pressure,
                          volume_strains=q.get("volume_strains"), supercell=model.settings["supercell_matrix"],
                          cutoff_A=cutoff, displacement_A=disp, mesh=mesh, temperatures_K=qtemps,
                          training_pressure_range_GPa=pot.training_pressure_range_GPa, classical=classical)
            summary["qha"] = {k: (np.round(v, 8).tolist() if isinstance(v, np.ndarray) else v) for k, v in qha.items()}
            plot_qha(out / "qha.png", qha, f"{atoms.get_chemical_formula()} QHA with {pot.label}, "
                                           f"P = {qha['pressure_GPa']:g} GPa")
    summary["warnings"] = [str(w.message) for w in caught if not is_noise(w)]
    for msg in summary["warnings"]:
        log(f"warning: {msg}")
    write_json(out / "summary.json", summary)
    im = summary["imaginary_modes"]
    stability = (f"IMAGINARY modes down to {abs(im['min_frequency_THz']):.3f}i THz" if im["has_imaginary_modes"]
                 else "no imaginary modes")
    log(f"phonons: max frequency {summary['max_frequency_THz']:.3f} THz; {stability}"
        + (f"; band RMSE vs {ref.label} {summary['comparison']['band_rmse_THz']:.3f} THz" if ref else ""))
    log(f"phonons: wrote {out / 'summary.json'} and plots")
    return summary

