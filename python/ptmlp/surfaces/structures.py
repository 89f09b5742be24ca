"""Reading slabs and bulk crystals: CIF (P1 files fast, others through ASE's symmetry expansion),
POSCAR/CONTCAR, extxyz and anything else ASE reads; ASE ``Atoms`` pass through."""

from __future__ import annotations

import os
from pathlib import Path

from ase import Atoms

from ..errors import InputError


def read_structure(source: str | os.PathLike | Atoms, name: str | None = None) -> Atoms:
    """An ASE ``Atoms`` (periodic in all three directions) from a file or an ``Atoms``; a file that
    is missing or unreadable is one :class:`InputError` line."""
    if isinstance(source, Atoms):
        atoms = source.copy()
    else:
        path = Path(source)
        label = name or str(path)
        if not path.is_file():
            raise InputError(f"{label}: no such structure file")
        try:
            atoms = _read_cif_p1(path) if path.suffix.lower() == ".cif" else None
            if atoms is None:
                from ase.io import read

                atoms = read(str(path), index=0)
        except InputError:
            raise
        except Exception as exc:  # ASE raises many kinds for unreadable files
            raise InputError(f"{label}: not a readable structure file ({type(exc).__name__}: "
                             f"{str(exc).splitlines()[0] if str(exc) else 'no detail'})") from None
    if 0 in set(atoms.numbers.tolist()):
        raise InputError(f"{name or 'structure'}: has atoms of unknown element (atomic number 0 / 'X')")
    atoms.pbc = True
    return atoms


def _read_cif_p1(path: Path) -> Atoms | None:
    """A P1 CIF without ASE's O(N^2) symmetry-equivalent search; None for other space groups."""
    from ase.io.cif import parse_cif

    block = next(parse_cif(str(path)), None)
    if block is None or not block.has_structure():
        raise InputError(f"{path}: no structure in the CIF file")
    sitesym = block.get("_symmetry_equiv_pos_as_xyz") or block.get("_space_group_symop_operation_xyz")
    number = block.get("_symmetry_int_tables_number") or block.get("_space_group_it_number")
    if (sitesym is not None and len(sitesym) > 1) or (number is not None and int(number) != 1):
        return None
    return block.get_unsymmetrized_structure()
