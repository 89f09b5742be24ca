"""Energies, forces and virials of a DeePMD model on the test frames (child process of accuracy.py).

    python dp_predict.py model.pb fe.h5 split.json out.npz

Runs DeePMD-kit's Python inference API (``deepmd.infer.DeepPot``) so that TensorFlow stays out
of the process that imports torch. Writes energy_eV (F,), forces_eV_per_A (F, N, 3) and
virial_eV (F, 3, 3) (DeePMD's virial sign = W = -stress V, the same as ptmlp's datasets).
"""

from __future__ import annotations

import sys

import numpy as np


def main(model: str, h5: str, split: str, out: str) -> int:
    from deepmd.infer import DeepPot
    from ptmlp.data.splits import load_split
    from ptmlp.data.store import Dataset

    frames = Dataset(h5).read(load_split(split)["test"])
    dp = DeepPot(model)
    type_map = dp.get_type_map()
    energy, forces, virial = [], [], []
    for fr in frames:  # one frame at a time: any atom count
        types = np.array([type_map.index(s) for s in fr.atoms.get_chemical_symbols()])
        e, f, v = dp.eval(fr.atoms.positions.reshape(1, -1), fr.atoms.cell.array.reshape(1, 9), types)[:3]
        energy.append(float(np.ravel(e)[0]))
        forces.append(np.asarray(f).reshape(-1, 3))
        virial.append(np.asarray(v).reshape(3, 3))
    np.savez(out, energy_eV=np.array(energy), forces_eV_per_A=np.array(forces), virial_eV=np.array(virial))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
