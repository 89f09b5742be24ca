"""Elastic constants at (T, P) from MD: runs ``inputs/elastic.in`` through LAMMPS and analyses it.

For each independent seed the template equilibrates the crystal at (T, P) (NPT), fixes the box
at its average shape, and measures the stress at the reference and at +-strain for the six
Voigt strains (NVT). Errors follow the one uncertainty model (:mod:`ptmlp.uncertainty`): each
stress time series is block-averaged with the measured statistical inefficiency (error per
state), C is rebuilt from the means (C_ij = (sigma_i(+) - sigma_i(-)) / (2 strain)), rotated from
LAMMPS's cell orientation back to the input frame, averaged over seeds (error: the seed scatter
x Student-t, never below the propagated block errors; one seed: the block errors) and projected
on the symmetric form.
"""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

from ..config import validate_config
from ..errors import InputError
from ..lammps_data import to_lammps_orientation, write_lammps_data
from ..lammps_env import run_lammps
from ..potential import PotentialSpec
from ..relax import check_cell_size, check_periodic, check_pressure, minimal_repeats
from ..units import BAR_TO_GPA
from .config import MDSteps
from .result import ElasticResult, density_g_per_cm3
from ..uncertainty import combine_runs, series_error
from .symmetry import analyse_symmetry, impose_symmetry, resolve_request, rotate_errors
from .voigt import rotate_voigt

STATES = ("ref",) + tuple(f"{j}{s}" for j in range(1, 7) for s in ("m", "p"))
_BAROSTAT = {"cubic": "iso", "hexagonal": "aniso", "tetragonal": "aniso", "orthorhombic": "aniso"}


def template_path() -> Path:
    """The shipped ``inputs/elastic.in``."""
    from ..resources import input_template

    return input_template("elastic.in")


def read_stress_series(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Stress (n_samples, 6) in GPa (Voigt, tension positive) and temperature (K) from an
    ``elastic_stress_*.txt`` file (columns: step, pxx pyy pzz pyz pxz pxy in bar, T)."""
    if not path.exists():
        raise InputError(f"{path} missing: the LAMMPS run of inputs/elastic.in did not finish")
    data = np.loadtxt(path, comments="#", ndmin=2)
    return -data[:, 1:7] * BAR_TO_GPA, data[:, 7]


def analyse_run(folder: Path, strain: float, prefix: str = "elastic") -> dict:
    """C (GPa, LAMMPS frame), its block errors, the reference box, T and P of one seed's run."""
    means, errs = {}, {}
    temp = np.nan
    for state in STATES:
        series, temps = read_stress_series(folder / f"{prefix}_stress_{state}.txt")
        if state == "ref":
            temp = float(temps.mean())
        me = [series_error(series[:, k]) for k in range(6)]
        means[state] = np.array([m.mean for m in me])
        errs[state] = np.array([m.stat_err for m in me])
    c = np.zeros((6, 6))
    c_err = np.zeros((6, 6))
    for j in range(6):
        c[:, j] = (means[f"{j + 1}p"] - means[f"{j + 1}m"]) / (2.0 * strain)
        c_err[:, j] = np.sqrt(errs[f"{j + 1}p"] ** 2 + errs[f"{j + 1}m"] ** 2) / (2.0 * strain)
    lx, ly, lz, xy, xz, yz, natoms = np.loadtxt(folder / f"{prefix}_ref.txt", comments="#", ndmin=2)[-1]
    cell = np.array([[lx, 0, 0], [xy, ly, 0], [xz, yz, lz]])
    p_ref = -means["ref"][:3].mean()
    p_ref_err = float(np.sqrt((errs["ref"][:3] ** 2).sum()) / 3.0)
    return {"C_GPa": c, "C_err_GPa": c_err, "cell_A": cell, "temperature_K": temp,
            "pressure_GPa": float(p_ref), "pressure_err_GPa": p_ref_err,
            "n_atoms": int(natoms), "reference_stress_GPa": means["ref"]}


def elastic_md(atoms, potential: PotentialSpec, workdir, *, temperature_K: float,
               pressure_GPa: Optional[float] = 0.0,
               supercell="auto", strain: float = 0.01, seeds: Sequence[int] = (4928459, 7238117),
               steps: Optional[dict] = None, timestep_ps: float = 0.001, nprocs: int = 1,
               symmetry: str = "auto", symprec_A: float = 1e-3, barostat: Optional[str] = None,
               timeout_s: Optional[float] = None) -> ElasticResult:
    """Isothermal C_ij at (``temperature_K``, ``pressure_GPa``) of ``atoms`` (a relaxed or ideal
    crystal; its lattice is only the starting point of NPT) with ``potential`` in LAMMPS.

    ``pressure_GPa=None``: no NPT; the given cell (times the repeats) is the reference state.
    ``steps``: run lengths (keys of :class:`~ptmlp.elastic.config.MDSteps`; missing ones take its defaults).
    """
    check_periodic(atoms)
    type_names = potential.species_for(atoms.get_chemical_symbols())
    if potential.kind == "ase":
        raise InputError(f"potential {potential.name} is an ASE calculator; MD elastic constants run in LAMMPS and "
                         "need a ptmlp model or a LAMMPS pair_style")
    if not temperature_K > 0:
        raise InputError(f"temperature_K {temperature_K} must be positive for MD")
    if not 1e-4 <= strain <= 0.05:
        raise InputError(f"strain {strain} must be within 1e-4 and 0.05")
    if pressure_GPa is not None:
        check_pressure(pressure_GPa, potential.training_pressure_range_GPa)
    info = analyse_symmetry(atoms, symprec_A)
    system = resolve_request(info, symmetry)
    cutoff = potential.require_cutoff()
    if supercell is None or supercell == "auto":
        reps = minimal_repeats(atoms.cell.array, cutoff)
    else:
        reps = [int(v) for v in supercell]
        if len(reps) != 3 or min(reps) < 1:
            raise InputError(f"supercell {supercell!r} must be 'auto' or three positive repeats")
    big = atoms.repeat(reps)
    check_cell_size(big.cell.array, cutoff, f"the MD cell {reps}",
                    f"use supercell {minimal_repeats(atoms.cell.array, cutoff)} or 'auto'")
    if pressure_GPa is None:
        barostat = "none"
    elif barostat is None:
        barostat = _BAROSTAT.get(info.crystal_system, "tri")
    if barostat not in ("iso", "aniso", "tri", "none"):
        raise InputError(f"barostat {barostat!r} must be iso, aniso, tri or none")
    steps = validate_config(MDSteps, dict(steps or {}), source="elastic_md steps").to_dict()
    work = Path(workdir).resolve()
    work.mkdir(parents=True, exist_ok=True)
    lmp_atoms, rot = to_lammps_orientation(big)
    write_lammps_data(work / "crystal.data", lmp_atoms, type_names)
    potential.write_include(work / "potential.mod", type_names, masses=False)  # masses: in crystal.data
    shutil.copy(template_path(), work / "elastic.in")
    runs = []
    for seed in seeds:
        folder = work / f"seed_{seed}"
        folder.mkdir(exist_ok=True)
        variables = {"potential": "../potential.mod", "data": "../crystal.data", "T": temperature_K,
                     "P_GPa": 0.0 if pressure_GPa is None else pressure_GPa, "barostat": barostat,
                     "strain": strain, "dt": timestep_ps,
                     "seed": seed, "prefix": "elastic", **steps}
        run_lammps(work / "elastic.in", folder, nprocs=nprocs, variables=variables, timeout_s=timeout_s)
        runs.append(analyse_run(folder, strain))
    # LAMMPS frame -> input frame: v_lmp = R v_in, so T_in = R^T T_lmp R
    cs = np.array([rotate_voigt(r["C_GPa"], rot.T) for r in runs])
    c = cs.mean(axis=0)
    block_errs = np.array([rotate_errors(r["C_err_GPa"], rot.T) for r in runs])
    c_err = np.array([[combine_runs(cs[:, i, j], block_errs[:, i, j]).stat_err for j in range(6)] for i in range(6)])
    if len(runs) >= 2:
        err_kind = (f"scatter of {len(runs)} independent seeds x Student-t, never below the block-average "
                    "errors (ptmlp.uncertainty)")
    else:
        err_kind = "block averages of one run (excludes the scatter of the NPT reference volume)"
        warnings.warn("one seed: the errors are block averages and miss the scatter of the NPT reference "
                      "volume (measured ~1-3 GPa for 128 Fe atoms at 300 K); use >= 2 seeds", stacklevel=2)
    c_sym, e_sym = impose_symmetry(c, c_err, info, system)
    vol = np.mean([abs(np.linalg.det(r["cell_A"])) for r in runs])
    scaled = big.copy()
    scaled.set_cell(big.cell.array * (vol / big.get_volume()) ** (1 / 3), scale_atoms=True)
    p = np.array([r["pressure_GPa"] for r in runs])
    p_err = combine_runs(p, [r["pressure_err_GPa"] for r in runs]).stat_err
    return ElasticResult(
        C_GPa=c, C_err_GPa=c_err, C_sym_GPa=c_sym, C_sym_err_GPa=e_sym, symmetry=info, imposed_system=system,
        density_g_per_cm3=density_g_per_cm3(scaled), pressure_GPa=float(p.mean()), pressure_err_GPa=float(p_err),
        temperature_K=float(np.mean([r["temperature_K"] for r in runs])),
        method=f"MD strain-stress (inputs/elastic.in), isothermal, errors: {err_kind}",
        n_atoms=len(big), volume_A3=float(vol),
        settings={"supercell": reps, "strain": strain, "seeds": list(seeds), "steps": steps,
                  "timestep_ps": timestep_ps, "barostat": barostat, "target_temperature_K": temperature_K,
                  "target_pressure_GPa": pressure_GPa, "potential": potential.name, "workdir": str(work),
                  "per_seed_C_input_frame_GPa": [np.round(x, 4).tolist() for x in cs]})
