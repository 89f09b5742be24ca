"""An mlearn-format data set (Zuo et al. 2020 layout) as the bench's frames, split and files.

A data set folder holds ``training.json`` and ``test.json``: lists of records with a pymatgen
``structure`` (lattice matrix, sites with cartesian ``xyz``, A), ``outputs.energy`` (eV, total),
``outputs.forces`` (eV/A), ``outputs.virial_stress`` (kbar, optional) and ``group``.

``virial_stress`` is the NEGATIVE of the stress (VASP's "in kB": positive under compression),
components xx, yy, zz, xy, zx, yz (measured on the Mo Elastic frames against dE along the strain
paths: tests/journey_helpers.py ``stress_sign_check``; ``stress_sign_check`` below repeats it for
any data set). The bench stores stress with ASE's sign (positive under tension), in GPa.

Split rule (the same frames for every model):
* test = every record of ``test.json``;
* validation = carved from ``training.json`` per ``group``: round(fraction x n) frames of each
  group of n frames (at least 1 when n >= 2), chosen by ``numpy.random.default_rng(seed)``
  permutations taken group by group in sorted group order; train = the rest.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from ase import Atoms
from ase.calculators.singlepoint import SinglePointCalculator
from ase.stress import full_3x3_to_voigt_6_stress

#: positions of the 3x3 tensor components in ``outputs.virial_stress``
VIRIAL_STRESS_ORDER = [(0, 0), (1, 1), (2, 2), (0, 1), (2, 0), (1, 2)]
EV_PER_A3_IN_GPA = 160.21766208


def records(data: Path, subset: str) -> list[dict]:
    """The records of ``training.json`` (subset 'training') or ``test.json`` ('test')."""
    path = Path(data) / f"{subset}.json"
    if not path.is_file():
        raise SystemExit(f"{path} is missing: --data must be an mlearn-format folder (training.json, test.json)")
    return json.loads(path.read_text())


def stress_GPa(record: dict) -> np.ndarray | None:
    """3x3 stress (GPa, ASE sign: positive under tension), None when the record has none."""
    values = (record.get("outputs") or {}).get("virial_stress")
    if values is None or len(values) != 6:
        return None
    t = np.zeros((3, 3))
    for value, (i, j) in zip(values, VIRIAL_STRESS_ORDER):
        t[i, j] = t[j, i] = value
    return -0.1 * t


def record_atoms(record: dict) -> Atoms:
    """A record as ASE Atoms with its DFT labels on a SinglePointCalculator (stress in eV/A^3)
    and ``info['group']``."""
    s = record["structure"]
    symbols = [site["species"][0]["element"] for site in s["sites"]]
    atoms = Atoms(symbols, positions=[site["xyz"] for site in s["sites"]], cell=s["lattice"]["matrix"], pbc=True)
    results = {"energy": float(record["outputs"]["energy"]), "forces": np.array(record["outputs"]["forces"], float)}
    st = stress_GPa(record)
    if st is not None:
        results["stress"] = full_3x3_to_voigt_6_stress(st / EV_PER_A3_IN_GPA)
    atoms.calc = SinglePointCalculator(atoms, **results)
    atoms.info["group"] = str(record.get("group") or "all")
    return atoms


def split(train_records: list[dict], validation_fraction: float, seed: int) -> dict[str, list[int]]:
    """Indices into ``training.json`` of the train and validation frames (rule in the module doc)."""
    rng = np.random.default_rng(seed)
    by_group: dict[str, list[int]] = {}
    for i, r in enumerate(train_records):
        by_group.setdefault(str(r.get("group") or "all"), []).append(i)
    validation: list[int] = []
    for g in sorted(by_group):
        idx = by_group[g]
        k = int(round(validation_fraction * len(idx)))
        if len(idx) >= 2:
            k = max(k, 1)
        validation += [idx[j] for j in rng.permutation(len(idx))[:k]]
    validation.sort()
    vset = set(validation)
    return {"train": [i for i in range(len(train_records)) if i not in vset], "validation": validation}


def stress_sign_check(recs: list[dict]) -> dict:
    """rms (eV) of [E(b) - E(a) - W] between frames a, b of the same atoms whose cells differ by
    a small homogeneous strain, W the trapezoid work V sigma : dF F^-1, for the sign used here and
    for the opposite sign; frames are paired when their species, fractional positions agree to 0.01 (relaxed ions move a little).
    Returns {"pairs": n, "rms_eV_this_sign": x, "rms_eV_opposite_sign": y} (pairs 0: not checkable)."""
    items = []
    for r in recs:
        st = stress_GPa(r)
        if st is None:
            continue
        a = record_atoms(r)
        items.append((a, st / EV_PER_A3_IN_GPA, float(r["outputs"]["energy"])))
    res = {+1: [], -1: []}
    for k, (a1, s1, e1) in enumerate(items):
        for a2, s2, e2 in items[k + 1:]:
            if len(a1) != len(a2) or a1.get_chemical_symbols() != a2.get_chemical_symbols():
                continue
            d = a1.get_scaled_positions() - a2.get_scaled_positions()
            if np.abs(d - np.round(d)).max() > 1e-2:
                continue
            grad = np.linalg.solve(a1.cell.array, a2.cell.array).T  # cell2 = cell1 G^T
            if np.abs(grad - np.eye(3)).max() > 0.03:
                continue
            dF = grad - np.eye(3)
            for sign in (+1, -1):
                w = 0.5 * sign * (a1.get_volume() * np.sum(s1 * dF)
                                  + a2.get_volume() * np.sum(s2 * (dF @ np.linalg.inv(grad))))
                res[sign].append(e2 - e1 - w)
    n = len(res[1])
    rms = {s: float(np.sqrt(np.mean(np.square(v)))) if v else None for s, v in res.items()}
    return {"pairs": n, "rms_eV_this_sign": rms[1], "rms_eV_opposite_sign": rms[-1]}


def species(recs: list[dict]) -> list[str]:
    return sorted({site["species"][0]["element"] for r in recs for site in r["structure"]["sites"]})


def ground_state(recs: list[dict]) -> Atoms:
    """The lowest energy-per-atom frame, reduced to its conventional standard cell (spglib,
    symprec 0.1 A) when that has fewer atoms: the unit the timing boxes are built from."""
    best = min(recs, key=lambda r: r["outputs"]["energy"] / len(r["structure"]["sites"]))
    atoms = record_atoms(best)
    atoms.calc = None
    try:
        from pymatgen.io.ase import AseAtomsAdaptor
        from pymatgen.symmetry.analyzer import SpacegroupAnalyzer

        conv = SpacegroupAnalyzer(AseAtomsAdaptor.get_structure(atoms), symprec=0.1).get_conventional_standard_structure()
        if len(conv) < len(atoms):
            atoms = AseAtomsAdaptor.get_atoms(conv)
    except ImportError:
        pass
    atoms.info = {"description": best.get("description", ""), "group": best.get("group", "")}
    return atoms


def repeats_for(atoms: Atoms, target: int, max_aspect: float = 1.6) -> tuple[int, int, int]:
    """(na, nb, nc) whose box of ``atoms`` holds the atom count closest to ``target`` among boxes
    whose longest edge is at most ``max_aspect`` x its shortest (ties: the most cubic)."""
    n0, lengths = len(atoms), atoms.cell.lengths()
    best = None
    top = int(round((target / n0) ** (1 / 3) * 3)) + 2
    for na in range(1, top):
        for nb in range(1, top):
            for nc in range(1, top):
                edges = lengths * (na, nb, nc)
                aspect = edges.max() / edges.min()
                if aspect > max_aspect:
                    continue
                key = (abs(n0 * na * nb * nc - target), aspect)
                if best is None or key < best[0]:
                    best = (key, (na, nb, nc))
    return best[1]


def timing_box(recs: list[dict], target_atoms: int) -> Atoms:
    unit = ground_state(recs)
    box = unit.repeat(repeats_for(unit, target_atoms))
    box.info = dict(unit.info, unit_atoms=len(unit))
    return box

