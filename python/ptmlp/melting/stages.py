"""The runs of the workflow: pure-solid / pure-liquid references and coexistence runs at (P, T).

:func:`prepare` checks the inputs (structure, interaction, cell size) once; :func:`references`
runs the two calibration runs of a state point; :func:`coexistence` runs one interface cell and
:func:`extend_coexistence` continues it from its restart file. Every run goes through
:class:`~ptmlp.melting.runner.Runner`, so it is done only once.

A reference run is settled when the drift of its volume per atom over its sampling window is
within ``settle.drift_sigma`` of its own error (:func:`ptmlp.uncertainty.trend`); otherwise it
is continued for another ``md.reference_ps`` (at most ``settle.max_extensions`` times) and the
last continuation is the reference (measured: the liquid reference of hcp Mg was still
contracting from 30.6 to 27.6 A^3/atom during a 6 ps sampling window).
"""

from __future__ import annotations

import math
import re
import threading
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from pathlib import Path
from typing import Callable, Optional

import numpy as np
from ase import Atoms

from ..atomic import atomic_write_text
from ..errors import InputError
from ..potential import PotentialSpec
from ..thermo import read_thermo_blocks
from ..units import BAR_TO_GPA
from ..uncertainty import trend
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
    n_liquid_atoms: int = 0
    #: valid reference sets made in this invocation: (P, T) -> References (restarts reuse them)
    references_done: dict = dataclass_field(default_factory=dict)

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
    liquid = write_cell(inputs / "liquid.data", atoms, (reps[0], reps[1], n_liq), type_names)
    runner = Runner(work, parallel=cfg.parallel_runs, timeout_s=cfg.run_timeout_s, log=log)
    return MeltContext(cfg=cfg, potential=potential, type_names=type_names, cutoff_A=cutoff, unit_cell=atoms,
                       space_group=space_group, reps=tuple(reps), shells=shells, n_atoms=len(big), inputs_dir=inputs,
                       runner=runner, baro="tri" if is_triclinic(atoms) else "aniso", log=log,
                       n_liquid_atoms=len(liquid))


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
    drift = trend(series["time_ps"], series["V_A3"] / atoms) if n >= 3 else None
    return {"hist": read_histogram(folder / "melt_hist.dat").tolist(),
            "volume_drift_A3": drift.change if drift else float("nan"),
            "volume_drift_err_A3": drift.change_err if drift else float("nan"),
            "volume_first_A3": drift.start if drift else float("nan"),
            "volume_last_A3": drift.end if drift else float("nan"),
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
    T_K: float = float("nan")  # the temperature of the reference runs


_ref_locks: dict = {}
_ref_locks_guard = threading.Lock()


def references(ctx: MeltContext, p_gpa: float, t_k: float) -> References:
    """Pure-solid and pure-liquid runs at (P, T): threshold, fractions, equilibrated crystal."""
    with _ref_locks_guard:
        lock = _ref_locks.setdefault((p_gpa, t_k), threading.Lock())
    with lock:
        refs = _references(ctx, p_gpa, t_k)
        refs.T_K = t_k
    if refs.verdict is None:
        ctx.references_done[(p_gpa, t_k)] = refs
    return refs


def _references(ctx: MeltContext, p_gpa: float, t_k: float) -> References:
    from .analysis import LIQUID_GROWS, SOLID_GROWS

    cfg = ctx.cfg
    solid_spec, liquid_spec = reference_specs(ctx, p_gpa, t_k)
    ctx.runner.plan(liquid_spec)
    solid = _settled_reference(ctx, solid_spec, "solid", p_gpa, t_k)
    ocut = solid["ocut_A"]
    liquid_spec.variables["ocut"] = f"{ocut:.8f}"
    liquid = _settled_reference(ctx, liquid_spec, "liquid", p_gpa, t_k)
    # the coexistence runs start from the crystal of the first solid run (an extension only refines the
    # calibration: the dynamics of the coexistence runs do not depend on how long the reference sampled)
    solid_data = ctx.runner.root / solid_spec.name / "melt_solid.data"
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


def reference_specs(ctx: MeltContext, p_gpa: float, t_k: float) -> tuple[RunSpec, RunSpec]:
    """The pure-solid and pure-liquid runs of (P, T) (the liquid's ocut is set from the solid's)."""
    cfg, md = ctx.cfg, ctx.cfg.md
    base = state_name(p_gpa, t_k)
    nsolid_default = max(1, math.ceil(ctx.shells.coordination / 2))
    var = _common_variables(ctx, p_gpa, t_k)
    solid = RunSpec(f"{base}/ref_solid", dict(var, stage="solid", data="crystal.data",
                                              seed=lammps_seed(cfg.seeds[0], t_k, 1),
                                              t_solid=md.solid_equilibration_ps, t_ref=md.reference_ps,
                                              ocut=0, ocut_rel=f"{ctx.shells.cutoff_rel:.8f}", nsolid=nsolid_default),
                    files={"potential.mod": ctx.potential_file, "crystal.data": ctx.crystal_data},
                    nprocs=cfg.nprocs, n_atoms=ctx.n_atoms,
                    steps=_steps(md, md.solid_equilibration_ps + md.reference_ps))
    liquid = RunSpec(f"{base}/ref_liquid", dict(var, stage="liquid", data="liquid.data",
                                                seed=lammps_seed(cfg.seeds[0], t_k, 2),
                                                t_melt=md.melt_ps, t_cool=md.cool_ps, t_ref=md.reference_ps,
                                                ocut=0, nsolid=nsolid_default),
                     files={"potential.mod": ctx.potential_file, "liquid.data": ctx.liquid_data},
                     nprocs=cfg.nprocs, n_atoms=ctx.n_liquid_atoms,
                     steps=_steps(md, md.melt_ps + md.cool_ps + md.reference_ps))
    return solid, liquid


def _steps(md, t_ps: float) -> int:
    return int(round(t_ps / md.timestep_ps))


def reference_settled(ref: dict, n_sigma: float) -> bool:
    """The volume per atom of a reference run does not drift beyond n_sigma x its error."""
    d, e = ref.get("volume_drift_A3"), ref.get("volume_drift_err_A3")
    if d is None or e is None or not (math.isfinite(d) and math.isfinite(e)):
        return True  # too few samples to tell
    return abs(d) <= n_sigma * e


def _reference_verdict(n_sigma: float):
    def verdict(ref: dict) -> str:
        state = "settled" if reference_settled(ref, n_sigma) else "NOT settled"
        return (f"{state}: V/atom {ref['volume_first_A3']:.2f} -> {ref['volume_last_A3']:.2f} A^3 (drift "
                f"{ref['volume_drift_A3']:+.3f} +- {ref['volume_drift_err_A3']:.3f} A^3, limit {n_sigma:g} sigma)")
    return verdict


def _kept_phase(ref: dict, kind: str) -> bool:
    """A reference that changed phase on its own is not extended: the state point is decided by it."""
    return ref["fsolid_raw"] >= 0.5 if kind == "solid" else ref["fsolid_raw"] <= 0.5


def _settled_reference(ctx: MeltContext, spec: RunSpec, kind: str, p_gpa: float, t_k: float) -> dict:
    """Run a reference and continue it (md.reference_ps at a time) until its volume has settled."""
    settle, md = ctx.cfg.settle, ctx.cfg.md
    verdict = _reference_verdict(settle.drift_sigma)
    ref = ctx.runner.run(spec, _parse_reference, verdict)
    history = []
    k = 0
    while (not reference_settled(ref, settle.drift_sigma) and k < settle.max_extensions
           and _kept_phase(ref, kind)):
        history.append({"run": ref["run"], "volume_drift_A3": ref["volume_drift_A3"],
                        "volume_drift_err_A3": ref["volume_drift_err_A3"]})
        k += 1
        var = dict(spec.variables, stage="extend", of=kind, restart="previous.restart", t_ext=md.reference_ps,
                   ocut=f"{ref['ocut_A']:.8f}")
        ext = RunSpec(f"{spec.name}_ext{k}", var, files={"potential.mod": ctx.potential_file,
                                                         "previous.restart": ctx.runner.root / ref["run"] /
                                                         "melt_end.restart"},
                      nprocs=spec.nprocs, n_atoms=spec.n_atoms, steps=_steps(md, md.reference_ps))
        ref = ctx.runner.run(ext, _parse_reference, verdict)
    ref = dict(ref, extensions=k, settled=reference_settled(ref, settle.drift_sigma), earlier=history)
    if not ref["settled"] and _kept_phase(ref, kind):
        ctx.log(f"  warning: P={p_gpa:g} GPa, T={t_k:g} K: the {kind} reference still drifts after {k} extension(s) "
                f"({_reference_verdict(settle.drift_sigma)(ref)}); lengthen md.reference_ps or md.cool_ps")
    return ref


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


def coexistence_spec(ctx: MeltContext, p_gpa: float, t_k: float, seed: int, refs: References,
                     ensemble: str, tag: str = "") -> RunSpec:
    """One interface-cell run at (P, T) (npt) or starting at T (nph) with the calibrated label."""
    cfg, md = ctx.cfg, ctx.cfg.md
    var = _common_variables(ctx, p_gpa, t_k)
    var.update(stage="all", ensemble=ensemble, data="solid.data", seed=lammps_seed(seed, t_k),
               t_solid=min(md.solid_equilibration_ps, 1.0), t_melt=md.melt_ps, t_cool=md.cool_ps,
               t_coex=md.coexistence_ps, ocut=f"{refs.ocut_A:.8f}", nsolid=refs.calibration.nsolid_bonds,
               nbins=PROFILE_BINS_PER_CELL * ctx.reps[2])
    name = f"{state_name(p_gpa, t_k)}/{ensemble}{tag}_seed{seed}"
    steps = _steps(md, min(md.solid_equilibration_ps, 1.0) + md.melt_ps + md.cool_ps + md.coexistence_ps)
    return RunSpec(name, var, files={"potential.mod": ctx.potential_file, "solid.data": refs.solid_data},
                   nprocs=cfg.nprocs, n_atoms=ctx.n_atoms, steps=steps)


#: profile bins per unit cell along z: fine enough to resolve the crystal planes, which the plots
#: then average over one lattice period of the solid (plots.smoothed_profile)
PROFILE_BINS_PER_CELL = 40


def coexistence(ctx: MeltContext, p_gpa: float, t_k: float, seed: int, refs: References, ensemble: str,
                tag: str = "", verdict: Optional[Callable[[dict], str]] = None) -> dict:
    """Run :func:`coexistence_spec` (``verdict(result)`` is printed on its end line)."""
    md = ctx.cfg.md
    spec = coexistence_spec(ctx, p_gpa, t_k, seed, refs, ensemble, tag)
    result = ctx.runner.run(spec, _parse_coexistence, verdict)
    if (result["fsolid_after_melt"] or 0.0) > 0.8:  # null (not measured) when the log lacks the blocks
        raise InputError(f"{spec.name}: the upper half did not melt ({100 * result['fsolid_after_melt']:.0f}% still "
                         f"solid-like after md.melt_ps={md.melt_ps} ps at {md.melt_factor} x T); raise "
                         "md.melt_factor or md.melt_ps")
    return result


def extension_ps(cfg: MeltConfig) -> float:
    """Length of one extension of a coexistence run (settle.extend_ps, default the analysed window)."""
    return float(cfg.settle.extend_ps or (cfg.md.coexistence_ps - cfg.md.discard_ps))


def extension_spec(ctx: MeltContext, base: RunSpec, previous: dict, k: int) -> RunSpec:
    """Continuation number ``k`` of coexistence run ``base`` from the restart file of ``previous``."""
    md = ctx.cfg.md
    t_ext = extension_ps(ctx.cfg)
    var = dict(base.variables, stage="extend", of="coex", restart="previous.restart", t_ext=t_ext)
    return RunSpec(f"{base.name}_ext{k}", var,
                   files={"potential.mod": ctx.potential_file,
                          "previous.restart": ctx.runner.root / previous["run"] / "melt_end.restart"},
                   nprocs=base.nprocs, n_atoms=base.n_atoms, steps=_steps(md, t_ext))


def extend_coexistence(ctx: MeltContext, base: RunSpec, previous: dict, k: int,
                       verdict: Optional[Callable[[dict], str]] = None) -> dict:
    """Continue a coexistence run for :func:`extension_ps` from its end state."""
    return ctx.runner.run(extension_spec(ctx, base, previous, k), _parse_coexistence, verdict)


def joined_series(results: list[dict]) -> dict[str, list]:
    """The time series of a run and its extensions, one after the other (an extension's first sample
    is the state its restart file holds, the previous part's last sample: it is left out)."""
    out: dict[str, list] = {}
    for r in results:
        times = r["series"]["time_ps"]
        last = out["time_ps"][-1] if out.get("time_ps") else -float("inf")
        keep = [k for k, t in enumerate(times) if t > last + 1e-9]
        for key, values in r["series"].items():
            out.setdefault(key, []).extend(values[k] for k in keep)
    return out


def analysed_series(result: dict, calibration: Calibration, discard_ps: float,
                    extended_ps: float = 0.0) -> dict[str, np.ndarray]:
    """Coexistence series from the start of the analysis window: time from 0, solid fraction phi.
    For an extended run (``result["series"]`` joined over the extensions, ``extended_ps`` their
    total length) the window keeps its length and moves to the end of the run."""
    s = {k: np.asarray(v) for k, v in result["series"].items()}
    t = s["time_ps"] - s["time_ps"][0]
    keep = t >= discard_ps + extended_ps
    out = {k: v[keep] for k, v in s.items()}
    out["t_ps"] = t[keep]
    out["solid_fraction"] = calibration.solid_fraction(out["fsolid"])
    out["P_GPa"] = out["P_bar"] * BAR_TO_GPA
    return out
