"""Electronic temperature of DFT labels, read from the source's smearing settings.

Only Fermi-Dirac smearing defines a physical T_e = width / k_B:
- VASP (OUTCAR, vasprun.xml): ISMEAR = -1 with SIGMA (eV);
- Quantum ESPRESSO pw.x output: "... Fermi-Dirac smearing, width (Ry)= w".
Gaussian, Methfessel-Paxton or cold smearing are numerical devices, not a temperature: NaN.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

from ase.units import Rydberg, kB

_VASP_OUTCAR = re.compile(r"ISMEAR\s*=\s*(-?\d+)\s*;\s*SIGMA\s*=\s*([-+\d.Ee]+)")
_VASP_XML_ISMEAR = re.compile(r'<i\s+type="int"\s+name="ISMEAR">\s*(-?\d+)\s*</i>')
_VASP_XML_SIGMA = re.compile(r'<i\s+name="SIGMA">\s*([-+\d.Ee]+)\s*</i>')
_QE = re.compile(r"number of k points=\s*\d+\s+(.+?)\s+smearing, width \(Ry\)=\s*([-+\d.Ee]+)")


def te_from_vasp_outcar(text: str) -> float:
    m = _VASP_OUTCAR.search(text)
    if not m or int(m.group(1)) != -1:
        return math.nan
    return float(m.group(2)) / kB


def te_from_vasprun(text: str) -> float:
    mi, ms = _VASP_XML_ISMEAR.search(text), _VASP_XML_SIGMA.search(text)
    if not mi or not ms or int(mi.group(1)) != -1:
        return math.nan
    return float(ms.group(1)) / kB


def te_from_qe_output(text: str) -> float:
    m = _QE.search(text)
    if not m or "fermi-dirac" not in m.group(1).lower():
        return math.nan
    return float(m.group(2)) * Rydberg / kB


def te_from_file(path: str | Path, fmt: str) -> float:
    """T_e (K) of a DFT output file of dpdata format ``fmt``; NaN when not Fermi-Dirac or unknown."""
    readers = {"vasp/outcar": te_from_vasp_outcar, "vasp/xml": te_from_vasprun, "qe/pw/scf": te_from_qe_output}
    reader = readers.get(fmt)
    if reader is None or not Path(path).is_file():
        return math.nan
    return reader(Path(path).read_text(errors="replace"))
