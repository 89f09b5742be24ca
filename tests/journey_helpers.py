"""A user's own data, as the user has it: the mlearn Mo DFT set (../shared/data/mlearn/Mo, VASP
PBE, Zuo et al., J. Phys. Chem. A 124, 731 (2020)) written as extxyz and as dpdata deepmd/npy,
its DFT elastic constants, and the command-line runner the journey tests drive ptmlp with.

The set's ``outputs.virial_stress`` (kbar) is the NEGATIVE of the stress (positive under
compression, VASP's "in kB" sign) with the components in the order xx, yy, zz, xy, zx, yz. Both
were measured against the energies of the set's Elastic frames: along each of the 6 strain paths
(60 intervals between neighbouring strains), the energy change equals the work V sigma : dF F^-1
(trapezoid rule) to 0.029 eV rms with this sign and order; 0.38 eV with VASP's documented order
(.. xy yz zx) or the Voigt order, and 4.4 eV with the opposite sign (rms energy change 2.2 eV).
``stress_sign_check`` repeats that measurement.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import numpy as np
from ase import Atoms
from ase.calculators.singlepoint import SinglePointCalculator
from ase.stress import full_3x3_to_voigt_6_stress

from ptmlp.lammps_env import lammps_environment, venv_bin

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
MO_DIR = SHARED_DATA / "mlearn" / "Mo"
MO_MISSING = f"the mlearn Mo set is not at {MO_DIR} (../shared/data next to the repository)"

#: positions of the 3x3 tensor components in ``outputs.virial_stress``
VIRIAL_STRESS_ORDER = [(0, 0), (1, 1), (2, 2), (0, 1), (2, 0), (1, 2)]
EV_PER_A3_IN_KBAR = 1602.1766208
EV_PER_A3_IN_GPA = 160.21766208


def ptmlp(*args, cwd, check: bool = True, timeout_s: float = 3600) -> subprocess.CompletedProcess:
    """Run the ``ptmlp`` command of this venv as a user would (exit status checked)."""
    proc = subprocess.run([venv_bin("ptmlp"), *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          env=lammps_environment(), timeout=timeout_s)
    if check:
        assert proc.returncode == 0, f"ptmlp {' '.join(map(str, args))}:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


def mlearn_records(subset: str) -> list[dict]:
    """The records of ``training.json`` (subset 'training') or ``test.json`` ('test')."""
    return json.loads((MO_DIR / f"{subset}.json").read_text())


def virial_stress_GPa(record: dict) -> np.ndarray:
    """The stress of a record as a 3x3 tensor, GPa, positive under tension (ASE's sign)."""
    t = np.zeros((3, 3))
    for value, (i, j) in zip(record["outputs"]["virial_stress"], VIRIAL_STRESS_ORDER):
        t[i, j] = t[j, i] = value
    return -0.1 * t


def record_atoms(record: dict) -> Atoms:
    """A record as ASE Atoms with its DFT labels on a SinglePointCalculator (stress in eV/A^3)."""
    s = record["structure"]
    atoms = Atoms([site["species"][0]["element"] for site in s["sites"]],
                  positions=[site["xyz"] for site in s["sites"]], cell=s["lattice"]["matrix"], pbc=True)
    stress = full_3x3_to_voigt_6_stress(virial_stress_GPa(record) / EV_PER_A3_IN_GPA)
    atoms.calc = SinglePointCalculator(atoms, energy=record["outputs"]["energy"],
                                       forces=np.array(record["outputs"]["forces"]), stress=stress)
    return atoms


def write_extxyz(records: list[dict], path: Path) -> Path:
    from ase.io import write

    write(path, [record_atoms(r) for r in records], format="extxyz")
    return path


def write_deepmd_npy(records: list[dict], folder: Path) -> Path:
    """The records as dpdata writes deepmd/npy: one system folder per composition, virials in eV
    with DeePMD's sign (positive under compression): W = -stress V."""
    import dpdata

    systems = dpdata.MultiSystems()
    for r in records:
        a = record_atoms(r)
        volume = a.get_volume()
        systems.append(dpdata.LabeledSystem(data={
            "atom_names": ["Mo"], "atom_numbs": [len(a)], "atom_types": np.zeros(len(a), dtype=int),
            "orig": np.zeros(3), "nopbc": False,
            "cells": a.cell.array[None], "coords": a.positions[None],
            "energies": np.array([r["outputs"]["energy"]]), "forces": np.array(r["outputs"]["forces"])[None],
            "virials": (-virial_stress_GPa(r) / EV_PER_A3_IN_GPA * volume)[None]}))
    systems.to("deepmd/npy", str(folder))
    return folder


def _elastic_rows(records: list[dict]) -> tuple[dict, dict[int, list]]:
    elastic = [r for r in records if r["group"] == "Elastic" and r["num_atoms"] == 54]
    ground = next(r for r in elastic if "Ground state" in r["description"])
    modes: dict[int, list] = {}
    for r in elastic:
        m = re.search(r"mode (\d), strain ([-0-9.]+)", r["description"])
        if m:
            modes.setdefault(int(m.group(1)), []).append((float(m.group(2)), r))
    return ground, {k: sorted(v + [(0.0, ground)], key=lambda x: x[0]) for k, v in modes.items()}


def stress_sign_check(records: list[dict]) -> float:
    """rms (eV) of [energy change - work V sigma : dF F^-1] between neighbouring strains of the
    Elastic frames, with ``virial_stress_GPa`` (sign and component order as documented above)."""
    ground, modes = _elastic_rows(records)
    cell0 = np.array(ground["structure"]["lattice"]["matrix"])
    residuals = []
    for rows in modes.values():
        for (_, r1), (_, r2) in zip(rows[:-1], rows[1:]):
            cells = [np.array(r["structure"]["lattice"]["matrix"]) for r in (r1, r2)]
            grads = [np.linalg.solve(cell0, c).T for c in cells]  # cell = cell0 F^T
            work = sum(0.5 * abs(np.linalg.det(c)) * np.sum(virial_stress_GPa(r) / EV_PER_A3_IN_GPA
                                                             * ((grads[1] - grads[0]) @ np.linalg.inv(g)))
                       for c, g, r in zip(cells, grads, (r1, r2)))
            residuals.append(r2["outputs"]["energy"] - r1["outputs"]["energy"] - work)
    return float(np.sqrt(np.mean(np.square(residuals))))


def elastic_constants_GPa(records: list[dict], stress_GPa=virial_stress_GPa,
                          max_strain: float = 0.02) -> dict[str, tuple[float, float]]:
    """C11, C12, C44 (GPa) from the Elastic frames: slope of the stress (``stress_GPa(record)``,
    3x3, tension positive; default the DFT labels) against the applied strain e (cell = cell0 (1 + e)
    along x/y/z for modes 1-3; shear gamma = e for modes 4-6) by a straight line through the
    strains |e| <= max_strain and the ground state, averaged over the cubic-equivalent components.
    Returns {name: (value, spread over those components)}."""
    _, modes = _elastic_rows(records)
    uniaxial = {1: 0, 2: 1, 3: 2}
    shear = {4: (0, 1), 5: (1, 2), 6: (0, 2)}
    stresses = {id(r): stress_GPa(r) for rows in modes.values() for e, r in rows if abs(e) <= max_strain + 1e-9}

    def slope(mode: int, comp) -> float:
        rows = [(e, r) for e, r in modes[mode] if abs(e) <= max_strain + 1e-9]
        return float(np.polyfit([e for e, _ in rows], [stresses[id(r)][comp] for _, r in rows], 1)[0])

    c11 = [slope(m, (k, k)) for m, k in uniaxial.items()]
    c12 = [slope(m, (j, j)) for m, k in uniaxial.items() for j in range(3) if j != k]
    c44 = [slope(m, ij) for m, ij in shear.items()]
    return {name: (float(np.mean(v)), float(np.std(v))) for name, v in (("C11", c11), ("C12", c12), ("C44", c44))}


def model_stress_GPa(model: Path):
    """``stress_GPa`` for :func:`elastic_constants_GPa`: the model's stress on a record's structure."""
    from ptmlp.calculator import PtmlpCalculator

    calc = PtmlpCalculator(model)

    def stress(record: dict) -> np.ndarray:
        atoms = record_atoms(record)
        atoms.calc = calc
        return atoms.get_stress(voigt=False) * EV_PER_A3_IN_GPA

    return stress


def journey_dir(tmp_path_factory, name: str) -> Path:
    """The folder of a journey: a fresh temporary one, or ``$PTMLP_JOURNEY_DIR/<name>`` (kept, and
    reused by a later run: steps whose outputs exist are not redone)."""
    import os

    keep = os.environ.get("PTMLP_JOURNEY_DIR")
    if not keep:
        return tmp_path_factory.mktemp(name)
    folder = Path(keep).resolve() / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder

NVT_INPUT = """units metal
atom_style atomic
atom_modify map array
read_data data.lmp
pair_style {pair_style}
pair_coeff * * {species}
compute pea all pe/atom
{computes}
velocity all create {T_K} 4928459 loop geom mom yes rot yes
fix nvt all nvt temp {T_K} {T_K} 0.1
timestep 0.001
thermo_style custom step temp pe press {thermo_extra}
thermo_modify format float %.17g
thermo 1
dump d all custom {steps} dump.txt id type x y z fx fy fz c_pea
dump_modify d sort id format float %.17g
run {steps}
"""


def lmp_nvt(workdir: Path, atoms: Atoms, type_names, pair_style: str, nprocs: int, steps: int, T_K: float,
            computes: str = "", thermo_extra: str = "") -> dict:
    """NVT run of ``atoms`` (cell in LAMMPS orientation) with the real ``lmp`` on ``nprocs``
    ranks: the thermo rows, the final frame (positions, forces, per-atom energies) and the wall time."""
    import time

    from conftest import run_lmp

    from ptmlp.lammps_data import read_dump_columns, write_lammps_data
    from ptmlp.thermo import read_thermo

    workdir.mkdir(parents=True, exist_ok=True)
    write_lammps_data(workdir / "data.lmp", atoms, type_names)
    t0 = time.monotonic()
    run_lmp(workdir, NVT_INPUT.format(pair_style=pair_style, species=" ".join(type_names), T_K=T_K, steps=steps,
                                      computes=computes, thermo_extra=thermo_extra), nprocs=nprocs)
    wall = time.monotonic() - t0
    dump = read_dump_columns(workdir / "dump.txt")
    final = atoms.copy()
    final.positions = np.stack([dump["x"], dump["y"], dump["z"]], 1)
    return {"thermo": read_thermo(workdir / "log.lammps"), "final": final, "wall_s": wall,
            "forces": np.stack([dump["fx"], dump["fy"], dump["fz"]], 1), "pea": dump["c_pea"]}


def lmp_ranks_and_ase_agree(workdir: Path, atoms: Atoms, type_names, pair_style: str, model: Path, steps: int,
                            T_K: float, te_column: str | None = None, computes: str = "") -> dict:
    """The same NVT run on 1 and 2 ranks, and the final frame through ``PtmlpCalculator``: energies
    and forces agree to round-off (issue #3 tolerances: 1e-8 eV/atom, 1e-6 eV/A). For a T_e model,
    ``te_column`` names the thermo column with the T_e the pair style used (the calculator gets it)."""
    from ptmlp.calculator import PtmlpCalculator

    one = lmp_nvt(workdir / "np1", atoms, type_names, pair_style, 1, steps, T_K, computes, te_column or "")
    two = lmp_nvt(workdir / "np2", atoms, type_names, pair_style, 2, steps, T_K, computes, te_column or "")
    n = len(atoms)
    de_ranks = float(np.abs(one["thermo"]["PotEng"] - two["thermo"]["PotEng"]).max() / n)
    df_ranks = float(np.abs(one["forces"] - two["forces"]).max())
    dx_ranks = float(np.abs(one["final"].positions - two["final"].positions).max())
    a = one["final"].copy()
    te_K = float(one["thermo"][te_column][-1]) if te_column else None
    a.calc = PtmlpCalculator(model, te_K=te_K) if te_K is not None else PtmlpCalculator(model)
    e_ase = a.get_potential_energy()
    de_ase = abs(e_ase - one["thermo"]["PotEng"][-1]) / n
    df_ase = float(np.abs(a.get_forces() - one["forces"]).max())
    dpea_ase = float(np.abs(a.calc.results["energies"] - one["pea"]).max())
    numbers = {"steps": steps, "T_K": T_K, "n_atoms": n, "te_K_final": te_K,
               "dE_1v2_ranks_eV_per_atom": de_ranks, "dF_1v2_ranks_eV_per_A": df_ranks,
               "dx_1v2_ranks_A": dx_ranks, "dE_lmp_vs_ase_eV_per_atom": de_ase,
               "dF_lmp_vs_ase_eV_per_A": df_ase, "dE_atom_lmp_vs_ase_eV": dpea_ase,
               "lmp_wall_s_1_rank": one["wall_s"], "lmp_wall_s_2_ranks": two["wall_s"],
               "final_T_K": float(one["thermo"]["Temp"][-1])}
    print(json.dumps(numbers, indent=1))
    assert np.isfinite(one["thermo"]["PotEng"]).all() and len(one["thermo"]["Step"]) == steps + 1
    assert de_ranks < 1e-8 and df_ranks < 1e-6  # eV/atom, eV/A
    assert de_ase < 1e-8 and df_ase < 1e-6 and dpea_ase < 1e-8  # eV/atom, eV/A, eV
    return numbers
