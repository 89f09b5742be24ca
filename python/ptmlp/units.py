"""Unit conventions and the conversions used at each boundary.

Python API: ASE units (eV, angstrom, eV/angstrom^3 for stress, K).
LAMMPS side: ``units metal`` (eV, angstrom, ps, bar, K).
Result files and CLI: GPa, K, W/(m K), Pa s, m^2/s, the unit in the key name.
"""

from ase import units as _ase

#: 1 eV/angstrom^3 in bar (160.2 GPa)
EV_PER_A3_TO_BAR = 1.0 / _ase.bar
#: 1 eV/angstrom^3 in GPa
EV_PER_A3_TO_GPA = 1.0 / _ase.GPa
#: 1 bar in GPa
BAR_TO_GPA = 1.0e-4
#: LAMMPS's own eV/angstrom^3 -> bar factor for ``units metal`` (``force->nktv2p``, set in
#: LAMMPS update.cpp); use it when comparing against numbers LAMMPS printed, since it differs
#: from the CODATA 2018 value above by 8e-8 relative (0.01 bar at 100 GPa).
LAMMPS_METAL_NKTV2P = 1.6021765e6
#: Boltzmann constant in eV/K
KB_EV_PER_K = _ase.kB


def gpa_to_bar(p_gpa: float) -> float:
    """Pressure in GPa -> bar (LAMMPS metal units)."""
    return p_gpa / BAR_TO_GPA


def bar_to_gpa(p_bar: float) -> float:
    """Pressure in bar (LAMMPS metal units) -> GPa."""
    return p_bar * BAR_TO_GPA
