"""Low-index slabs of a bulk crystal (pymatgen ``SlabGenerator``): every symmetrically distinct
Miller index up to ``max_miller_index`` and every termination, as ASE ``Atoms``."""

from __future__ import annotations

from dataclasses import dataclass

from ase import Atoms

from ..errors import InputError
from .config import SlabEnumeration


@dataclass
class EnumeratedSlab:
    miller: tuple[int, int, int]
    termination: int  # index among the terminations of this Miller index
    shift: float  # pymatgen's termination shift (fractional along c of the oriented cell)
    atoms: Atoms


def enumerate_slabs(bulk: Atoms, settings: SlabEnumeration, name: str = "bulk"):
    """(conventional lattice the Miller indices refer to, list of :class:`EnumeratedSlab`)."""
    from pymatgen.core.surface import SlabGenerator, get_symmetrically_distinct_miller_indices
    from pymatgen.io.ase import AseAtomsAdaptor

    structure = AseAtomsAdaptor.get_structure(bulk)
    try:
        structure = __import__("pymatgen.symmetry.analyzer", fromlist=["SpacegroupAnalyzer"]).SpacegroupAnalyzer(
            structure).get_conventional_standard_structure()
    except Exception as exc:  # spglib failures on odd cells
        raise InputError(f"{name}: could not find the symmetry of the bulk crystal ({exc})") from None
    out = []
    for miller in get_symmetrically_distinct_miller_indices(structure, settings.max_miller_index):
        gen = SlabGenerator(structure, miller, settings.min_slab_A, settings.vacuum_A, center_slab=True,
                            primitive=True, reorient_lattice=True)
        for k, slab in enumerate(gen.get_slabs(symmetrize=False)):
            atoms = AseAtomsAdaptor.get_atoms(slab.get_orthogonal_c_slab())
            if len(atoms) > settings.max_atoms:
                continue
            out.append(EnumeratedSlab(tuple(int(i) for i in miller), k, float(slab.shift), atoms))
    if not out:
        raise InputError(f"{name}: no slab with at most {settings.max_atoms} atoms up to Miller index "
                         f"{settings.max_miller_index}")
    return structure.lattice, out
