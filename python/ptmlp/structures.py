"""The one ``structure:`` spec of the workflows (melt, elastic, phonons, transport): a crystal
built by ``ase.build.bulk`` or read from any ASE-readable file, optionally repeated.

```yaml
structure: {name: Fe, crystalstructure: bcc, a_A: 2.8553}          # built (cell: auto = cubic if it exists)
structure: {file: MgSiO3.cif, repeat: [2, 2, 2]}                     # read (format guessed, last frame)
structure: {file: system.data, format: lammps-data}                  # LAMMPS data (types named by type_names)
```
"""

from __future__ import annotations

from typing import Literal, Optional, Sequence

from ase import Atoms
from pydantic import model_validator

from .config import StrictModel, field
from .config.types import InputFile
from .errors import InputError


class StructureSpec(StrictModel):
    """The crystal: ``name`` + ``crystalstructure`` (+ lattice constants) for ase.build.bulk, or a ``file``."""

    name: Optional[str] = field(None, "ase.build.bulk: element or formula, e.g. Fe, NaCl", examples=["Fe"])
    crystalstructure: Optional[str] = field(None, "ase.build.bulk: bcc, fcc, hcp, diamond, rocksalt, ...",
                                            examples=["bcc"])
    a_A: Optional[float] = field(None, "ase.build.bulk: lattice constant a (A); default ASE's", gt=0,
                                 examples=[2.8553])
    c_A: Optional[float] = field(None, "ase.build.bulk: lattice constant c (A) of hcp-like crystals", gt=0)
    covera: Optional[float] = field(None, "ase.build.bulk: c/a of hcp-like crystals (default ideal)", gt=0)
    cell: Literal["auto", "cubic", "orthorhombic", "primitive"] = field(
        "auto", "ase.build.bulk cell: auto = cubic, else orthorhombic, else primitive")
    file: Optional[InputFile] = field(None, "structure file (CIF, POSCAR, extxyz, LAMMPS data, ...)")
    format: Optional[str] = field(None, "ASE io format of file (default: guessed from the name)")
    index: int = field(-1, "frame of a multi-frame file (-1: the last)")
    repeat: Optional[list[int]] = field(None, "replicate the cell [nx, ny, nz]", min_length=3, max_length=3)

    @model_validator(mode="after")
    def _one_source(self) -> "StructureSpec":
        built = self.name is not None or self.crystalstructure is not None
        if built == (self.file is not None):
            raise ValueError("give either file, or name + crystalstructure (+ a_A) for ase.build.bulk")
        if built and (self.name is None or self.crystalstructure is None):
            raise ValueError("name and crystalstructure go together (e.g. name: Fe, crystalstructure: bcc)")
        if self.file is not None and any(v is not None for v in (self.a_A, self.c_A, self.covera)):
            raise ValueError("a_A, c_A and covera belong to a built crystal, not to file")
        if self.repeat is not None and min(self.repeat) < 1:
            raise ValueError(f"repeat {self.repeat} must be three integers >= 1")
        return self

    def describe(self) -> str:
        if self.file is not None:
            return f"file {self.file}"
        return f"{self.crystalstructure} {self.name}" + (f", a = {self.a_A:g} A" if self.a_A else "")

    def load(self, type_names: Optional[Sequence[str]] = None, *, periodic: bool = True) -> Atoms:
        """The structure as ASE Atoms; ``type_names`` name the types of a LAMMPS data file;
        ``periodic`` refuses anything but a 3-D periodic cell. Errors are one line."""
        atoms = self._read(type_names) if self.file is not None else self._build()
        if self.repeat is not None:
            atoms = atoms.repeat(self.repeat)
        if len(atoms) == 0:
            raise InputError("structure has no atoms")
        if periodic and (not all(atoms.pbc) or atoms.cell.volume < 1e-6):
            raise InputError("structure is not periodic in all three directions (a 3-D crystal with a non-zero "
                             "cell is needed)")
        return atoms

    def _read(self, type_names: Optional[Sequence[str]]) -> Atoms:
        from ase.io import read

        kwargs = {}
        if self.format in ("lammps-data", "lammps_data"):
            from ase.data import atomic_numbers
            if type_names:
                kwargs["Z_of_type"] = {k + 1: atomic_numbers[n] for k, n in enumerate(type_names)}
        try:
            atoms = read(self.file, index=self.index, format=self.format, **kwargs)
        except Exception as exc:  # ASE raises many types for unreadable files
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            raise InputError(f"structure.file {self.file}: cannot read it ({type(exc).__name__}: {first}); "
                             "set structure.format") from None
        return atoms[-1] if isinstance(atoms, list) else atoms

    def _build(self) -> Atoms:
        from ase.build import bulk

        kw = {k: v for k, v in (("a", self.a_A), ("c", self.c_A), ("covera", self.covera)) if v is not None}
        shapes = {"auto": ({"cubic": True}, {"orthorhombic": True}, {}), "cubic": ({"cubic": True},),
                  "orthorhombic": ({"orthorhombic": True},), "primitive": ({},)}[self.cell]
        problem = ""
        for shape in shapes:
            try:
                return bulk(self.name, self.crystalstructure, **kw, **shape)
            except Exception as exc:  # ASE: no cubic/orthorhombic form of this prototype, or bad input
                problem = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"structure: ase.build.bulk({self.name!r}, {self.crystalstructure!r}, cell {self.cell}) "
                         f"failed ({problem}); check name, crystalstructure, a_A and cell")
