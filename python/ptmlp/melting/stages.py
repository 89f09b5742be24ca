"""The runs of the workflow: pure-solid / pure-liquid references and coexistence runs at (P, T).

:func:`prepare` checks the inputs (structure, interaction, cell size) once; :func:`references`
runs the two calibration runs of a state point; :func:`coexistence` runs one interface cell.
Every run goes through :class:`~ptmlp.melting.runner.Runner`, so it is done only once.
"""

from __future__ import annotations

import math
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

import numpy as np
from ase import Atoms

from ..atomic import atomic_write_text
from ..errors import InputError
from ..potential import PotentialSpec
from ..thermo import read_thermo_blocks
from ..units import BAR_TO_GPA
from .analysis import mean_and_error
from .classify import Calibration, calibrate
from .config import MeltConfig
from .runner import RunSpec, Runner, read_histogram, read_profiles, read_series
from .structure import Shells, check_crystalline, is_triclinic, lateral_replication, neighbour_shells, write_cell


@dataclass
class MeltContext:
    cfg: MeltConfig
    potential: PotentialSpec
    type_names: list  # species of LAMMPS types 1..n
    cutoff_A: float  # interaction range
    unit_cell: Atoms
    space_group: str
    reps: tuple
    shells: Shells
    n_atoms: int
    inputs_dir: Path
    runner: Runner
    baro: str
    log: Callable[[str], None]

    @property
    def crystal_data(self) -> Path:
        return self.inputs_dir / "crystal.data"

    @property
    def liquid_data(self) -> Path:
        return self.inputs_dir / "liquid.data"

    @property
    def potential_file(self) -> Path:
        return self.inputs_dir / "potential.mod"


def prepare(cfg: MeltConfig, log: Callable[[str], None] = print) -> MeltContext:
    """Check the structure, interaction and cell; write the shared input files."""
    potential = cfg.potential
    atoms = cfg.structure.load(potential.type_names)
    space_group = check_crystalline(atoms, cfg.allow_p1)
    type_names = potential.species_for(atoms.get_chemical_symbols())
    cutoff = potential.require_cutoff()
    classified = None
    if cfg.order.types:
        bad = [t for t in cfg.order.types if t > len(type_names)]
        if bad:
            raise InputError(f"order.types {bad} exceed the {len(type_names)} LAMMPS types {type_names}")
        wanted = {type_names[t - 1] for t in cfg.order.types}
        classified = [k for k, sym in enumerate(atoms.get_chemical_symbols()) if sym in wanted]
        if not classified:
            raise InputError(f"order.types {cfg.order.types} select no atom of the structure")
    shells = neighbour_shells(atoms, classified)
    if cfg.order.cutoff_A is not None:
        shells = Shells(shells.nearest_A, float(cfg.order.cutoff_A), shells.coordination, shells.spacing_A)
    if shells.cutoff_A > cutoff:
        raise InputError(f"order-parameter shell {shells.cutoff_A:.2f} A exceeds the interaction range "
                         f"{cutoff:g} A (LAMMPS needs it inside the pair cutoff); set order.cutoff_A")
    reps = lateral_replication(atoms, cutoff, cfg.cell)
    work = Path(cfg.workdir)
    inputs = work / "inputs"
    inputs.mkdir(parents=True, exist_ok=True)
    _write_if_changed(inputs / "potential.mod", potential.include_text(type_names))
    big = write_cell(inputs / "crystal.data", atoms, reps, type_names)
    n_liq = max(reps[0], reps[1], math.ceil(reps[2] / 3))
    write_cell(inputs / "liquid.data", atoms, (reps[0], reps[1], n_liq), type_names)
    runner = Runner(work, parallel=cfg.parallel_runs, timeout_s=cfg.run_timeout_s, log=log)
    return MeltContext(cfg=cfg, potential=potential, type_names=type_names, cutoff_A=cutoff, unit_cell=atoms,
                       space_group=space_group, reps=tuple(reps), shells=shells, n_atoms=len(big), inputs_dir=inputs,
                       runner=runner, baro="tri" if is_triclinic(atoms) else "aniso", log=log)


def _write_if_changed(path: Path, text: str) -> None:
    if not path.exists() or path.read_text() != text:
        atomic_write_text(path, text)


def state_name(p_gpa: float, t_k: float) -> str:
    return f"P_{p_gpa:g}GPa/T_{t_k:.1f}K"


def lammps_seed(seed: int, t_k: float, salt: int = 0) -> int:
    """Deterministic, distinct LAMMPS seeds per (seed, T)."""
    return (100003 * seed + int(round(t_k * 10)) % 99991 + 7919 * salt) % 900000000 + 1


def _common_variables(ctx: MeltContext, p_gpa: float, t_k: float) -> dict:
    md, order = ctx.cfg.md, ctx.cfg.order
    return {"potential": "potential.mod", "P": f"{p_gpa:.10g}", "T": f"{t_k:.10g}", "dt": md.timestep_ps,
            "Tdamp": md.thermostat_damp_ps, "Pdamp": md.barostat_damp_ps, "melt_factor": md.melt_factor,
            "nout": md.sample_every_steps, "baro": ctx.baro, "obond": order.bond_threshold,
            "otypes": " ".join(str(t) for t in order.types) if order.types else "> 0",
            "nx": 1, "ny": 1, "nz": 1}


_DONE = re.compile(r"MELT_DONE .*ocut_A=(\S+) nsolid=(\S+)")


def _ocut_from_log(folder: Path) -> float:
    found = [m for m in _DONE.finditer((folder / "log.lammps").read_text(errors="replace"))
             if not m.group(1).startswith("$")]
    if not found:
        raise InputError(f"{folder}: the LAMMPS run did not finish (no MELT_DONE line in log.lammps)")
    return float(found[-1].group(1))


def _parse_reference(folder: Path) -> dict:
    series = read_series(folder / "melt_series.dat")
    n = len(series["time_ps"])
    atoms = _count_atoms(folder / "melt_end.dump")
    half = slice(n // 2, n)
    p_mean, p_err = mean_and_error(series["P_bar"][half] * BAR_TO_GPA)
    return {"hist": read_histogram(folder / "melt_hist.dat").tolist(),
            "ocut_A": _ocut_from_log(folder),
            "fsolid_raw": float(series["fsolid"][half].mean()),
            "T_K": float(series["T_K"][half].mean()),
            "pressure_GPa": p_mean, "pressure_err_GPa": p_err,
            "volume_per_atom_A3": float(series["V_A3"][half].mean() / atoms),
            "pe_per_atom_eV": float(series["pe_eV"][half].mean() / atoms),
            "cell_A": [float(series[k][-1]) for k in ("Lx_A", "Ly_A", "Lz_A")], "n_atoms": atoms}


def _count_atoms(dump: Path) -> int:
    with open(dump) as fh:
        for line in fh:
            if line.startswith("ITEM: NUMBER OF ATOMS"):
                return int(next(fh))
    raise InputError(f"{dump} has no atom count")


@dataclass
class References:
    """Calibration of one state point (P, T)."""

    solid: dict
    liquid: dict
    solid_data: Path  # the equilibrated coexistence-size crystal
    ocut_A: float
    calibration: Optional[Calibration]
    verdict: Optional[str]  # set when a reference itself changed phase (solid melted / liquid froze)
    note: str = ""


_ref_locks: dict = {}
_ref_locks_guard = threading.Lock()


def references(ctx: MeltContext, p_gpa: float, t_k: float) -> References:
    """Pure-solid and pure-liquid runs at (P, T): threshold, fractions, equilibrated crystal."""
    with _ref_locks_guard:
        lock = _ref_locks.setdefault((p_gpa, t_k), threading.Lock())
    with lock:
        return _references(ctx, p_gpa, t_k)


def _references(ctx: MeltContext, p_gpa: float, t_k: float) -> References:
    from .analysis import LIQUID_GROWS, SOLID_GROWS

    cfg, md = ctx.cfg, ctx.cfg.md
    base = state_name(p_gpa, t_k)
    nsolid_default = max(1, math.ceil(ctx.shells.coordination / 2))
    var = _common_variables(ctx, p_gpa, t_k)
    solid_spec = RunSpec(f"{base}/ref_solid", dict(var, stage="solid", data="crystal.data",
                                                   seed=lammps_seed(cfg.seeds[0], t_k, 1),
                                                   t_solid=md.solid_equilibration_ps, t_ref=md.reference_ps,
                                                   ocut=0, ocut_rel=f"{ctx.shells.cutoff_rel:.8f}",
                                                   nsolid=nsolid_default),
                         files={"potential.mod": ctx.potential_file, "crystal.data": ctx.crystal_data},
                         nprocs=cfg.nprocs)
    solid = ctx.runner.run(solid_spec, _parse_reference)
    ocut = solid["ocut_A"]
    liquid_spec = RunSpec(f"{base}/ref_liquid", dict(var, stage="liquid", data="liquid.data",
                                                     seed=lammps_seed(cfg.seeds[0], t_k, 2),
                                                     t_melt=md.melt_ps, t_cool=md.cool_ps, t_ref=md.reference_ps,
                                                     ocut=f"{ocut:.8f}", nsolid=nsolid_default),
                          files={"potential.mod": ctx.potential_file, "liquid.data": ctx.liquid_data},
                          nprocs=cfg.nprocs)
    liquid = ctx.runner.run(liquid_spec, _parse_reference)
    solid_data = ctx.runner.root / f"{base}/ref_solid/melt_solid.data"
    where = f"P={p_gpa:g} GPa, T={t_k:g} K: "
    if solid["fsolid_raw"] < 0.5:
        return References(solid, liquid, solid_data, ocut, None, LIQUID_GROWS,
                          f"the pure solid melted on its own ({100 * solid['fsolid_raw']:.0f}% solid-like)")
    if liquid["fsolid_raw"] > 0.5:
        return References(solid, liquid, solid_data, ocut, None, SOLID_GROWS,
                          f"the pure liquid crystallised on its own ({100 * liquid['fsolid_raw']:.0f}% solid-like)")
    try:
        cal = calibrate(solid["hist"], liquid["hist"], cfg.order.max_misclassification, where)
    except InputError:
        changed = contaminated_reference(solid["hist"], liquid["hist"], ctx.shells.coordination)
        if changed == "solid":
            return References(solid, liquid, solid_data, ocut, None, LIQUID_GROWS,
                              "the pure solid partly melted on its own (liquid-like atoms in the solid run)")
        if changed == "liquid":
            return References(solid, liquid, solid_data, ocut, None, SOLID_GROWS,
                              "the pure liquid partly crystallised on its own (solid-like atoms in the liquid run)")
        raise
    return References(solid, liquid, solid_data, ocut, cal, None)


def contaminated_reference(hist_solid, hist_liquid, coordination: int) -> Optional[str]:
    """Which reference changed phase when the two overlap: "solid" when the solid run holds clearly
    liquid-like atoms (<= CN/4 solid bonds), "liquid" when the liquid run holds clearly solid-like
    ones (>= 3 CN/4), None when neither stands out (a genuinely poor order parameter)."""
    hs = np.asarray(hist_solid, float) / max(sum(hist_solid), 1e-300)
    hl = np.asarray(hist_liquid, float) / max(sum(hist_liquid), 1e-300)
    x_s = float(hs[:int(coordination // 4) + 1].sum())
    x_l = float(hl[int(math.ceil(3 * coordination / 4)):].sum())
    if x_s > 0.05 and x_s > 5 * x_l:
        return "solid"
    if x_l > 0.05 and x_l > 5 * x_s:
        return "liquid"
    return None


def _parse_coexistence(folder: Path) -> dict:
    series = read_series(folder / "melt_series.dat")
    blocks = read_thermo_blocks(folder / "log.lammps")
    melt_blocks = [b for b in blocks if "v_fsolid" in b]
    # blocks with the label: melt, cool, run 0, coexistence
    after_melt = float(melt_blocks[0]["v_fsolid"][-1]) if len(melt_blocks) >= 3 else float("nan")
    after_cool = float(melt_blocks[1]["v_fsolid"][-1]) if len(melt_blocks) >= 3 else float("nan")
    prof = read_profiles(folder / "melt_profile.dat")
    return {"series": {k: v.tolist() for k, v in series.items()},
            "fsolid_after_melt": after_melt, "fsolid_after_cool": after_cool,
            "profile": {k: v.tolist() for k, v in prof.items()}, "ocut_A": _ocut_from_log(folder),
            "n_atoms": _count_atoms(folder / "melt_end.dump")}


def coexistence(ctx: MeltContext, p_gpa: float, t_k: float, seed: int, refs: References, ensemble: str,
                tag: str = "") -> dict:
    """One interface-cell run at (P, T) (npt) or starting at T (nph) with the calibrated label."""
    cfg, md = ctx.cfg, ctx.cfg.md
    var = _common_variables(ctx, p_gpa, t_k)
    var.update(stage="all", ensemble=ensemble, data="solid.data", seed=lammps_seed(seed, t_k),
               t_solid=min(md.solid_equilibration_ps, 1.0), t_melt=md.melt_ps, t_cool=md.cool_ps,
               t_coex=md.coexistence_ps, ocut=f"{refs.ocut_A:.8f}", nsolid=refs.calibration.nsolid_bonds,
               nbins=ctx.reps[2])
    name = f"{state_name(p_gpa, t_k)}/{ensemble}{tag}_seed{seed}"
    spec = RunSpec(name, var, files={"potential.mod": ctx.potential_file, "solid.data": refs.solid_data},
                   nprocs=cfg.nprocs)
    result = ctx.runner.run(spec, _parse_coexistence)
    if (result["fsolid_after_melt"] or 0.0) > 0.8:  # null (not measured) when the log lacks the blocks
        raise InputError(f"{name}: the upper half did not melt ({100 * result['fsolid_after_melt']:.0f}% still "
                         f"solid-like after md.melt_ps={md.melt_ps} ps at {md.melt_factor} x T); raise "
                         "md.melt_factor or md.melt_ps")
    return result


def analysed_series(result: dict, calibration: Calibration, discard_ps: float) -> dict[str, np.ndarray]:
    """Coexistence series from the start of the analysis window: time from 0, solid fraction phi."""
    s = {k: np.asarray(v) for k, v in result["series"].items()}
    t = s["time_ps"] - s["time_ps"][0]
    keep = t >= discard_ps
    out = {k: v[keep] for k, v in s.items()}
    out["t_ps"] = t[keep]
    out["solid_fraction"] = calibration.solid_fraction(out["fsolid"])
    out["P_GPa"] = out["P_bar"] * BAR_TO_GPA
    return out
