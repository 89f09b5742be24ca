"""``ptmlp phonons`` as a function: a validated :class:`~ptmlp.phonons.config.PhononsConfig` -> phonons,
plots, summary.json (``ptmlp phonons --example`` prints every key)."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Optional

import numpy as np

from ..jsonfile import write_json
from ..workflow_log import print_progress, recorded_warnings
from .config import PhononsConfig


def _at_special_points(model, band) -> dict:
    """Frequencies (THz) at the labelled points of the path."""
    from .properties import pretty_label

    out = {}
    for (a, b), q in zip(band.segment_labels, band.qpoints):
        for name, qq in ((a, q[0]), (b, q[-1])):
            out.setdefault(pretty_label(name), np.round(model.frequencies_THz([qq])[0], 4).tolist())
    return out


def run_phonons(cfg: PhononsConfig, outdir: Optional[Path] = None, log: Callable[[str], None] = print_progress) -> dict:
    """Phonons of ``cfg`` (comparison mode with ``cfg.reference``, QHA with ``cfg.qha``); writes
    summary.json, phonopy_params.yaml and plots to ``outdir`` (default ``cfg.outdir``)."""
    from .compare import compare_phonons
    from .harmonic import compute_phonons
    from .plots import plot_bands_dos, plot_qha
    from .properties import band_structure, imaginary_modes, thermal_properties, total_dos
    from .qha import run_qha

    pot, ref = cfg.potential, cfg.reference
    atoms = cfg.structure.load(pot.type_names)
    species = atoms.get_chemical_symbols()
    calc = pot.ase_calculator_instance(pot.species_for(species))
    cutoff = cfg.cutoff_A()
    pressure, disp, npoints, mesh, tol = (cfg.pressure_GPa, cfg.displacement_A, cfg.band_npoints, cfg.mesh,
                                          cfg.imaginary_tol_THz)
    supercell = cfg.supercell
    out = Path(outdir or cfg.outdir)
    out.mkdir(parents=True, exist_ok=True)
    summary: dict = {"potential": pot.name, "structure_formula": atoms.get_chemical_formula()}
    with recorded_warnings(log) as caught:
        if ref is not None:
            log(f"phonons: {pot.name} vs reference {ref.name}")
            ref_calc = ref.ase_calculator_instance(ref.species_for(species))
            cmp = compare_phonons(atoms, calc, ref_calc, pressure_GPa=pressure, supercell=supercell,
                                  cutoff_A=cutoff, displacement_A=disp, npoints=npoints, mesh=mesh,
                                  labels=(pot.name, ref.name),
                                  training_pressure_range_GPa=pot.training_pressure_range_GPa)
            model, band, dos = cmp.model, cmp.band_model, cmp.dos_model
            summary["comparison"] = cmp.metrics()
            summary["reference"] = {"label": ref.name,
                                    "max_frequency_THz": float(cmp.band_reference.all_frequencies().max()),
                                    "imaginary_modes": imaginary_modes(cmp.reference, cmp.band_reference,
                                                                       cmp.dos_reference, tol),
                                    "special_point_frequencies_THz": _at_special_points(cmp.reference,
                                                                                        cmp.band_reference)}
            plot_bands_dos(out / "phonons_comparison.png", band, dos, band_ref=cmp.band_reference,
                           dos_ref=cmp.dos_reference, labels=(pot.name, ref.name),
                           title=f"{atoms.get_chemical_formula()}: {pot.name} vs {ref.name}, band RMSE "
                                 f"{summary['comparison']['band_rmse_THz']:.3f} THz")
        else:
            log(f"phonons: {pot.name}")
            model = compute_phonons(atoms, calc, supercell=supercell, cutoff_A=cutoff, displacement_A=disp,
                                    pressure_GPa=pressure, label=pot.name,
                                    training_pressure_range_GPa=pot.training_pressure_range_GPa)
            band = band_structure(model, npoints, cfg.band_path)
            dos = total_dos(model, mesh)
        summary["imaginary_modes"] = imaginary_modes(model, band, dos, tol)
        summary["pressure_GPa"] = model.pressure_GPa
        summary["volume_A3_per_atom"] = float(model.unitcell.get_volume() / len(model.unitcell))
        summary["settings"] = {**model.settings, "mesh": mesh, "band_npoints": npoints, "band_path": band.path}
        summary["max_frequency_THz"] = float(band.all_frequencies().max())
        summary["special_point_frequencies_THz"] = _at_special_points(model, band)
        if cfg.error_estimate and 2 * disp <= 0.1:
            m2 = compute_phonons(model.unitcell, calc, supercell=model.settings["supercell_matrix"], cutoff_A=cutoff,
                                 displacement_A=2 * disp, pressure_GPa=None, label=pot.name)
            f1 = band.all_frequencies()
            f2 = band_structure(m2, npoints, cfg.band_path).all_frequencies()
            summary["frequency_err_THz"] = float(np.abs(f2 - f1).max())
            summary["frequency_err_note"] = "max |f(2 d) - f(d)| along the band path (finite-displacement error)"
        tp = thermal_properties(model, cfg.temperatures_K.values(), mesh)
        summary["thermal"] = {k: np.round(v, 6).tolist() for k, v in tp.items()}
        plot_bands_dos(out / "phonons.png", band, dos,
                       title=f"{atoms.get_chemical_formula()} with {pot.name}, P = {model.pressure_GPa:.2f} GPa")
        model.phonopy.save(str(out / "phonopy_params.yaml"))
        if cfg.qha is not None:
            log("phonons: quasi-harmonic approximation over volumes")
            q = cfg.qha
            qha = run_qha(atoms, calc, pressure_GPa=0.0 if pressure is None else pressure,
                          volume_strains=q.volume_strains, supercell=model.settings["supercell_matrix"],
                          cutoff_A=cutoff, displacement_A=disp, mesh=mesh, temperatures_K=q.temperatures_K(),
                          training_pressure_range_GPa=pot.training_pressure_range_GPa, classical=q.classical)
            summary["qha"] = {k: (np.round(v, 8).tolist() if isinstance(v, np.ndarray) else v) for k, v in qha.items()}
            plot_qha(out / "qha.png", qha, f"{atoms.get_chemical_formula()} QHA with {pot.name}, "
                                           f"P = {qha['pressure_GPa']:g} GPa")
    summary["warnings"] = caught
    write_json(out / "summary.json", summary)
    im = summary["imaginary_modes"]
    stability = (f"IMAGINARY modes down to {abs(im['min_frequency_THz']):.3f}i THz" if im["has_imaginary_modes"]
                 else "no imaginary modes")
    log(f"phonons: max frequency {summary['max_frequency_THz']:.3f} THz; {stability}"
        + (f"; band RMSE vs {ref.name} {summary['comparison']['band_rmse_THz']:.3f} THz" if ref else ""))
    log(f"phonons: wrote {out / 'summary.json'} and plots")
    return summary
