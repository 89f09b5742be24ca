"""Short Born-Oppenheimer MD (ASE Langevin + any ASE calculator) to sample fluid snapshots."""

from __future__ import annotations

import time
from typing import Callable, Optional

import numpy as np
from ase import Atoms, units
from ase.md.langevin import Langevin
from ase.md.velocitydistribution import MaxwellBoltzmannDistribution, Stationary

from ..errors import InputError


def langevin_snapshots(atoms: Atoms, calc, temperature_K: float, timestep_fs: float, equilibration_steps: int,
                       production_steps: int, sample_every: int, rng: np.random.Generator,
                       friction_per_fs: float = 0.01, equilibration_friction_per_fs: float = 0.1,
                       log: Optional[Callable[[str], None]] = None) -> list[Atoms]:
    """NVT Langevin MD from ``atoms``; return copies every ``sample_every`` production steps.

    Equilibration uses the strong friction ``equilibration_friction_per_fs`` (a random packing
    starts far from equilibrium and would otherwise heat far above ``temperature_K``);
    production uses the weak ``friction_per_fs``.

    Each returned Atoms carries ``info`` keys ``md_step``, ``time_fs``, ``temperature_K``
    (instantaneous) and ``pressure_GPa`` (instantaneous, kinetic term included).
    """
    if sample_every < 1 or production_steps < sample_every:
        raise InputError(f"sample_every={sample_every} must be >= 1 and <= production_steps={production_steps}")
    if not temperature_K > 0 or not timestep_fs > 0:
        raise InputError(f"temperature_K={temperature_K} and timestep_fs={timestep_fs} must be positive")
    work = atoms.copy()
    work.calc = calc
    MaxwellBoltzmannDistribution(work, temperature_K=temperature_K, rng=rng)
    Stationary(work)
    dyn = Langevin(work, timestep_fs * units.fs, temperature_K=temperature_K,
                   friction=equilibration_friction_per_fs / units.fs, fixcm=False, rng=rng)
    samples: list[Atoms] = []
    t0 = time.time()
    state = {"step": 0}

    def after_step():
        state["step"] += 1
        step = state["step"]
        if step > equilibration_steps and (step - equilibration_steps) % sample_every == 0:
            snap = work.copy()
            snap.calc = None
            stress = work.get_stress(include_ideal_gas=True)
            snap.info.update(md_step=step, time_fs=step * timestep_fs, temperature_K=work.get_temperature(),
                             pressure_GPa=float(-stress[:3].mean() / units.GPa))
            samples.append(snap)
            if log:
                log(f"  MD step {step}: T {snap.info['temperature_K']:.0f} K, "
                    f"P {snap.info['pressure_GPa']:.1f} GPa, {time.time() - t0:.0f} s")

    dyn.attach(after_step, interval=1)
    if equilibration_steps:
        dyn.run(equilibration_steps)
    dyn.set_friction(friction_per_fs / units.fs)
    dyn.run(production_steps)
    return samples
