"""Regenerate the tiny real-format fixtures in gpaw_al2/ (see README.md): real GPAW labels
written in several formats that `ptmlp data import` reads.

    .venv/bin/python tests/data/make_fixtures.py      (about 10 s)
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
from ase.build import bulk
from ase.calculators.singlepoint import SinglePointCalculator
from ase.io import write

from ptmlp.labelers.gpaw_labeler import GpawLabeler

HERE = Path(__file__).resolve().parent / "gpaw_al2"
TE_K = 5000.0


def main() -> None:
    import dpdata

    labeler = GpawLabeler(te_K=TE_K, xc="LDA", ecut_eV=200.0, kpts=(2, 2, 2))
    rng = np.random.default_rng(11)
    images = []
    for k, a0 in enumerate((4.05, 3.90, 3.75)):
        atoms = bulk("Al", "fcc", a=a0) * (2, 1, 1)  # 2 atoms
        atoms.rattle(0.08, seed=int(rng.integers(1 << 30)))
        frame = labeler.label(atoms)
        out = frame.atoms.copy()
        stress = -frame.virial_eV / out.get_volume()
        out.calc = SinglePointCalculator(out, energy=frame.energy_eV, free_energy=frame.energy_eV,
                                         forces=frame.forces_eV_per_A,
                                         stress=stress.flat[[0, 4, 8, 5, 2, 1]])
        out.info["te_K"] = TE_K
        images.append(out)
    if HERE.exists():
        shutil.rmtree(HERE)
    HERE.mkdir(parents=True)
    write(HERE / "al2.extxyz", images)
    write(HERE / "al2.traj", images)
    system = dpdata.LabeledSystem(images[0], fmt="ase/structure")
    for image in images[1:]:
        system.append(dpdata.LabeledSystem(image, fmt="ase/structure"))
    system.to("deepmd/npy", str(HERE / "deepmd_npy"))
    system.to("deepmd/hdf5", str(HERE / "al2.hdf5"))
    print(f"wrote fixtures to {HERE}")


if __name__ == "__main__":
    main()
