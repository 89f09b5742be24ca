"""The interaction as a LAMMPS include file (pair_style, pair_coeff, mass) and its cutoff.

``inputs/melt.in`` reads the interaction with ``include ${potential}``; this module writes that
file for a ptmlp model or any pair style, and finds the interaction range the cell size and the
order-parameter shell are checked against.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

from ase.data import atomic_masses, atomic_numbers

from ..errors import InputError, ModelFileError
from ..metadata import METADATA_FILE, parse_metadata
from .config import PotentialConfig


@dataclass
class Potential:
    """A resolved interaction: include-file text, cutoff (angstrom), LAMMPS type names."""

    lines: list[str]
    cutoff_A: float
    type_names: list[str]
    description: str

    def include_text(self) -> str:
        return "# interaction for melt.in (written by ptmlp melt)\n" + "\n".join(self.lines) + "\n"


def model_metadata(path: Path) -> dict:
    """``metadata.json`` of a ptmlp model file, read from the TorchScript zip without torch."""
    if not path.exists():
        raise ModelFileError(f"model file {path}: no such file")
    try:
        with zipfile.ZipFile(path) as zf:
            names = [n for n in zf.namelist() if n.endswith(f"extra/{METADATA_FILE}")]
            if not names:
                raise ModelFileError(f"model file {path}: has no {METADATA_FILE}; export it with ptmlp.export")
            text = zf.read(names[0])
    except zipfile.BadZipFile:
        raise ModelFileError(f"model file {path}: not a TorchScript archive") from None
    return parse_metadata(text, str(path))


def _eam_cutoff(path: Path, style: str) -> float:
    """Cutoff written in an EAM potential file header (funcfl: line 3; setfl/fs: line 5)."""
    try:
        lines = path.read_text(errors="replace").splitlines()
        line = lines[2] if style == "eam" else lines[4]
        return float(line.split()[4])
    except (OSError, IndexError, ValueError):
        raise InputError(f"cannot read the cutoff from {path}; set potential.cutoff_A") from None


def _mass(name: str) -> float:
    if name not in atomic_numbers:
        raise InputError(f"type name {name!r} is not a chemical element; add a 'mass N value' line "
                         "to potential.extra_commands and name the type after an element")
    return float(atomic_masses[atomic_numbers[name]])


def resolve_potential(cfg: PotentialConfig, structure_species: Sequence[str], resolve_path,
                      potentials_dir: Optional[Path] = None) -> Potential:
    """Include-file lines, cutoff and type names for ``cfg``.

    ``structure_species`` are the species of the crystal in order of first appearance (the
    default LAMMPS type order); ``resolve_path`` turns a config path into an absolute one.
    """
    species = list(dict.fromkeys(structure_species))
    type_names = list(cfg.type_names) if cfg.type_names else species
    missing = sorted(set(species) - set(type_names))
    if missing:
        raise InputError(f"potential.type_names {type_names} lacks the structure's species {missing}")
    extra = list(cfg.extra_commands)
    has_mass = any(c.split()[:1] == ["mass"] for c in extra)
    if cfg.model is not None:
        model = resolve_path(cfg.model)
        meta = model_metadata(model)
        unknown = sorted(set(type_names) - set(meta["type_names"]))
        if unknown:
            raise InputError(f"model {model} was not trained on species {unknown} (it knows {meta['type_names']})")
        lines = [f"pair_style ptmlp {model}", f"pair_coeff * * {' '.join(type_names)}"]
        cutoff = float(cfg.cutoff_A or meta["r_cut"])
        description = f"ptmlp model {model.name} (r_cut {meta['r_cut']} A)"
    else:
        if potentials_dir is None:
            from ..potential import potentials_dir as wheel_potentials
            potentials_dir = wheel_potentials()
        coeffs = [c.format(potentials=potentials_dir) for c in cfg.pair_coeff]
        lines = [f"pair_style {cfg.pair_style}"] + [f"pair_coeff {c}" for c in coeffs]
        cutoff = cfg.cutoff_A if cfg.cutoff_A is not None else _pair_cutoff(cfg.pair_style, coeffs)
        description = f"pair_style {cfg.pair_style}; " + "; ".join(f"pair_coeff {c}" for c in cfg.pair_coeff)
    if not has_mass:
        lines += [f"mass {k + 1} {_mass(n):.6f}" for k, n in enumerate(type_names)]
    lines += extra
    return Potential(lines=lines, cutoff_A=float(cutoff), type_names=type_names, description=description)


def _pair_cutoff(pair_style: str, coeffs: list[str]) -> float:
    """Interaction range of common pair styles: the global cutoff argument, or an EAM file header."""
    words = pair_style.split()
    style = words[0]
    if style.startswith(("eam", "eam/")):
        files = [w for c in coeffs for w in c.split() if Path(w).is_file()]
        if not files:
            raise InputError(f"pair_style {style}: no potential file found in pair_coeff {coeffs}")
        kind = "eam" if style in ("eam", "eam/opt", "eam/omp") else "setfl"
        return max(_eam_cutoff(Path(f), kind) for f in files)
    numbers = [w for w in words[1:] if re.fullmatch(r"[0-9.]+(e[-+]?[0-9]+)?", w)]
    if style.startswith(("lj/", "morse", "born", "buck", "yukawa", "soft", "zero")) and numbers:
        return float(numbers[-1])
    raise InputError(f"cannot infer the interaction range of pair_style {pair_style!r}; set potential.cutoff_A (A)")
