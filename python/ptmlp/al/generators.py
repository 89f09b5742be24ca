"""Structure generators for exploration: rattles and strains, vacancies and interstitials,
solid-liquid interfaces, and cation substitution ("cationic perturbation") in fraction steps."""

from __future__ import annotations

from typing import Iterable, Optional, Sequence

import numpy as np
from ase import Atoms

from ..errors import InputError


def rattle_and_strain(atoms: Atoms, n: int, rattle_A: float = 0.05, strain: float = 0.02,
                      seed: int = 0) -> list[Atoms]:
    """``n`` copies, each randomly strained (symmetric, std ``strain``) and rattled (std ``rattle_A``)."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        a = atoms.copy()
        e = rng.normal(scale=strain, size=(3, 3))
        a.set_cell(a.cell.array @ (np.eye(3) + 0.5 * (e + e.T)), scale_atoms=True)
        a.positions += rng.normal(scale=rattle_A, size=a.positions.shape)
        out.append(a)
    return out


def vacancies(atoms: Atoms, n_vacancies: int = 1, seed: int = 0) -> Atoms:
    """Remove ``n_vacancies`` random atoms."""
    if not 0 < n_vacancies < len(atoms):
        raise InputError(f"n_vacancies={n_vacancies} must be between 1 and {len(atoms) - 1}")
    rng = np.random.default_rng(seed)
    a = atoms.copy()
    del a[list(rng.choice(len(a), size=n_vacancies, replace=False))]
    return a


def interstitial(atoms: Atoms, symbol: Optional[str] = None, seed: int = 0, tries: int = 200) -> Atoms:
    """Add one atom at the point of the cell farthest from existing atoms (of ``tries`` random ones)."""
    rng = np.random.default_rng(seed)
    a = atoms.copy()
    candidates = rng.random((tries, 3)) @ a.cell.array
    from ase.geometry import get_distances

    _, d = get_distances(candidates, a.positions, cell=a.cell, pbc=a.pbc)
    best = candidates[int(np.argmax(d.min(axis=1)))]
    a += Atoms(symbol or a.get_chemical_symbols()[0], positions=[best])
    return a


def solid_liquid_interface(atoms: Atoms, axis: int = 2, melt_fraction: float = 0.5, rattle_A: float = 0.5,
                           seed: int = 0) -> Atoms:
    """Two-phase start: atoms in the upper ``melt_fraction`` of the cell along ``axis`` strongly
    disordered (liquid-like), the rest crystalline; the interface is normal to ``axis``."""
    rng = np.random.default_rng(seed)
    a = atoms.copy()
    frac = a.get_scaled_positions()[:, axis]
    melt = frac >= 1.0 - melt_fraction
    a.positions[melt] += rng.normal(scale=rattle_A, size=(int(melt.sum()), 3))
    a.wrap()
    return a


def substitutions(atoms: Atoms, host: str, guest: str, fractions: Sequence[float], seed: int = 0) -> list[Atoms]:
    """Cation substitution: ``guest`` replaces a ``fractions`` share of the ``host`` sites only
    (e.g. Mg -> Fe in MgSiO3 by 0.1 steps; Si sites are never touched), one element on one
    sublattice at a time. Fractions are rounded to whole sites; each structure is independent."""
    rng = np.random.default_rng(seed)
    sites = [i for i, s in enumerate(atoms.get_chemical_symbols()) if s == host]
    if not sites:
        raise InputError(f"structure has no {host} sites to substitute")
    if guest == host:
        raise InputError(f"guest {guest} must differ from host {host}")
    out = []
    for f in fractions:
        if not 0.0 < f <= 1.0:
            raise InputError(f"substitution fraction {f} must be in (0, 1]")
        k = max(1, int(round(f * len(sites))))
        a = atoms.copy()
        chosen = rng.choice(sites, size=k, replace=False)
        symbols = a.get_chemical_symbols()
        for i in chosen:
            symbols[i] = guest
        a.set_chemical_symbols(symbols)
        a.info["substitution"] = f"{host}->{guest} {k}/{len(sites)}"
        out.append(a)
    return out


def fraction_steps(step: float, maximum: float) -> list[float]:
    """[step, 2 step, ..., maximum], e.g. fraction_steps(0.1, 0.5) -> [0.1, 0.2, 0.3, 0.4, 0.5]."""
    n = int(round(maximum / step))
    return [round(step * k, 10) for k in range(1, n + 1)]


def chain(*groups: Iterable[Atoms]) -> list[Atoms]:
    return [a for g in groups for a in g]
