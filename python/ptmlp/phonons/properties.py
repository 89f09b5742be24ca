"""Band structure on a standard path, DOS, thermal properties, and imaginary-mode detection.

The band path is ASE's standard path for the primitive cell's Bravais lattice (Setyawan &
Curtarolo, Comput. Mater. Sci. 49, 299 (2010)), expressed in the primitive cell's reciprocal
basis, which is what phonopy expects. Thermal properties are returned per mole of atoms.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np

from .harmonic import PhononModel


class DynamicalInstabilityWarning(UserWarning):
    """Warned when phonon frequencies are imaginary: the structure is dynamically unstable at
    that volume/pressure (or the model is wrong there)."""


@dataclass
class BandStructure:
    """Frequencies (THz) along a path: one array (n_q, n_bands) per segment."""

    distances: list
    frequencies_THz: list
    qpoints: list
    segment_labels: list  # [(start_label, end_label)] per segment
    path: str

    def tick_positions(self) -> tuple[list[float], list[str]]:
        ticks, labels = [], []
        for (a, b), d in zip(self.segment_labels, self.distances):
            if not ticks or abs(ticks[-1] - d[0]) > 1e-9:
                ticks.append(float(d[0]))
                labels.append(a)
            elif labels[-1] != a:
                labels[-1] = f"{labels[-1]}|{a}"
            ticks.append(float(d[-1]))
            labels.append(b)
        return ticks, [pretty_label(s) for s in labels]

    def all_frequencies(self) -> np.ndarray:
        return np.concatenate([np.asarray(f) for f in self.frequencies_THz], axis=0)


def pretty_label(label: str) -> str:
    return "|".join("Γ" if part == "G" else part for part in label.split("|"))


def standard_path(model: PhononModel, path: Optional[str] = None) -> tuple[list, list, str]:
    """Segments [[q_start, q_end], ...], their labels and the path string (ASE notation)."""
    bp = model.primitive.cell.bandpath(npoints=0) if path is None else model.primitive.cell.bandpath(path, npoints=0)
    special = bp.special_points
    segments, labels = [], []
    for branch in bp.path.split(","):
        names = _split_labels(branch)
        for a, b in zip(names[:-1], names[1:]):
            segments.append([special[a], special[b]])
            labels.append((a, b))
    return segments, labels, bp.path


def _split_labels(branch: str) -> list[str]:
    out = []
    for ch in branch:
        if ch.isdigit() and out:
            out[-1] += ch
        else:
            out.append(ch)
    return out


def band_structure(model: PhononModel, npoints: int = 51, path: Optional[str] = None) -> BandStructure:
    from phonopy.phonon.band_structure import get_band_qpoints_and_path_connections

    segments, labels, path_str = standard_path(model, path)
    qpts, connections = get_band_qpoints_and_path_connections(segments, npoints=npoints)
    res = model.phonopy.run_band_structure(qpts, path_connections=connections)
    return BandStructure(distances=[np.asarray(d) for d in res.distances],
                         frequencies_THz=[np.asarray(f) for f in res.frequencies],
                         qpoints=[np.asarray(q) for q in res.qpoints], segment_labels=labels, path=path_str)


def total_dos(model: PhononModel, mesh: Sequence[int] = (20, 20, 20), freq_pitch_THz: float = 0.05) -> dict:
    """Total DOS (states/THz per primitive cell) on a Gamma-centred mesh, tetrahedron method."""
    model.phonopy.run_mesh(list(mesh), is_gamma_center=True)
    dos = model.phonopy.run_total_dos(freq_pitch=freq_pitch_THz)
    return {"frequency_THz": np.asarray(dos.frequency_points), "dos_states_per_THz": np.asarray(dos.dos),
            "mesh_frequencies_THz": np.asarray(model.phonopy.mesh.frequencies),
            "mesh_weights": np.asarray(model.phonopy.mesh.weights),
            "mesh_qpoints": np.asarray(model.phonopy.mesh.qpoints)}


def thermal_properties(model: PhononModel, temperatures_K: Sequence[float], mesh: Sequence[int] = (20, 20, 20)) -> dict:
    """Harmonic F, S, C_v per mole of atoms (kJ/mol, J/(K mol)); imaginary modes are ignored by phonopy."""
    model.phonopy.run_mesh(list(mesh), is_gamma_center=True)
    tp = model.phonopy.run_thermal_properties(temperatures=np.asarray(temperatures_K, float),
                                              exclude_gamma_acoustic=True)
    n = model.n_atoms_primitive
    return {"temperature_K": np.asarray(tp.temperatures),
            "free_energy_kJ_per_mol_atoms": np.asarray(tp.free_energy) / n,
            "entropy_J_per_K_mol_atoms": np.asarray(tp.entropy) / n,
            "cv_J_per_K_mol_atoms": np.asarray(tp.heat_capacity) / n}


def imaginary_modes(model: PhononModel, band: Optional[BandStructure] = None, mesh: Optional[dict] = None,
                    tol_THz: float = 0.05, gamma_radius: float = 0.05, warn: bool = True) -> dict:
    """Report frequencies below -``tol_THz`` (the three acoustic branches within ``gamma_radius``
    of Gamma, in reduced units, are exempt: finite-displacement noise makes them slightly negative).

    Warns :class:`DynamicalInstabilityWarning` with one line when any are found.
    """
    worst = (0.0, None, None)
    count = 0
    sources = []
    if band is not None:
        sources += [(np.asarray(q), np.asarray(f)) for q, f in zip(band.qpoints, band.frequencies_THz)]
    if mesh is not None:
        sources.append((mesh["mesh_qpoints"], mesh["mesh_frequencies_THz"]))
    for q, f in sources:
        near_gamma = np.linalg.norm(q - np.round(q), axis=1) < gamma_radius
        f = f.copy()
        f[near_gamma, :3] = np.where(f[near_gamma, :3] < 0, 0.0, f[near_gamma, :3])
        bad = f < -tol_THz
        count += int(bad.sum())
        if bad.any():
            k = np.unravel_index(np.argmin(f), f.shape)
            if f[k] < worst[0]:
                worst = (float(f[k]), q[k[0]].tolist(), int(k[1]))
    report = {"has_imaginary_modes": count > 0, "n_imaginary_frequencies": count,
              "min_frequency_THz": worst[0], "min_frequency_qpoint": worst[1], "min_frequency_band": worst[2],
              "tolerance_THz": tol_THz}
    if count and warn:
        warnings.warn(DynamicalInstabilityWarning(
            f"{model.label}: {count} imaginary phonon frequencies, down to {abs(worst[0]):.3f}i THz at q = "
            f"{np.round(worst[1], 4).tolist()} (P = {model.pressure_GPa:.2f} GPa): the structure is dynamically "
            "unstable at this volume/pressure, or the potential is wrong there"), stacklevel=2)
    return report
