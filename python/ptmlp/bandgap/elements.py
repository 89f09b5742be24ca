"""Element data from well-kept packages, never typed in by hand.

- Properties: ``mendeleev`` (its bundled database, read once per process with ``fetch_table``).
  A value the database lacks (e.g. the Pauling electronegativity of Eu, Tb, Yb) is filled by linear
  interpolation in atomic number between the nearest elements of the same period that have it (the
  nearest one at the end of a period) -- stated here, and the filled cells are listed by
  :func:`filled_cells`. Lanthanides and actinides (no group in IUPAC numbering) get group 3.
- Oxidation states: ``pymatgen``'s ``icsd_oxidation_states`` (the states seen in the ICSD), falling back
  to ``common_oxidation_states`` -- the table pymatgen's own ``Composition.oxi_state_guesses`` uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from ..errors import InputError

#: elements 1..Z_MAX carry data
Z_MAX = 100

#: the 12 elemental properties of the per-site features (issue #24), name -> unit / meaning
SITE_PROPERTIES: dict[str, str] = {
    "density_g_per_cm3": "density of the element (g/cm^3)",
    "polarizability_bohr3": "static dipole polarisability (bohr^3)",
    "covalent_radius_pm": "covalent radius, Pyykko (pm)",
    "atomic_radius_pm": "atomic radius (pm)",
    "ionization_energy_eV": "first ionisation energy (eV)",
    "valence_electrons": "valence electrons (mendeleev's nvalence)",
    "atomic_number": "atomic number",
    "period": "period (row)",
    "electronegativity_pauling": "Pauling electronegativity",
    "sp_electrons": "s + p electrons of the outermost shell (n = period)",
    "d_electrons": "electrons in the (period-1) d subshell",
    "electronegativity_mulliken_eV": "Mulliken electronegativity (I + A)/2 (eV; mendeleev's rule: I/2 where A is missing)",
}

#: further properties of the Magpie-style composition features
MAGPIE_EXTRA: dict[str, str] = {
    "mendeleev_number": "Mendeleev (Pettifor-style) number",
    "atomic_weight_u": "atomic weight (u)",
    "group": "group (column; 3 for La-Lu and Ac-Lr)",
    "f_electrons": "electrons in the (period-2) f subshell",
}

MAGPIE_PROPERTIES: dict[str, str] = {**SITE_PROPERTIES, **MAGPIE_EXTRA}

_COLUMNS = {"density_g_per_cm3": "density", "polarizability_bohr3": "dipole_polarizability",
            "covalent_radius_pm": "covalent_radius_pyykko", "atomic_radius_pm": "atomic_radius",
            "period": "period", "electronegativity_pauling": "en_pauling",
            "mendeleev_number": "mendeleev_number", "atomic_weight_u": "atomic_weight", "group": "group_id"}


@dataclass(frozen=True)
class ElementTable:
    """``values[name][Z]`` for Z = 1..Z_MAX (index 0 unused); ``symbols[Z]``."""

    symbols: list[str]
    values: dict[str, np.ndarray]
    filled: dict[str, list[str]] = field(default_factory=dict)
    z_of: dict[str, int] = field(default_factory=dict)

    def index(self, symbol: str) -> int:
        """Atomic number of ``symbol``; one-line InputError for an element without data."""
        try:
            return self.z_of[symbol]
        except KeyError:
            raise InputError(f"no element data for {symbol!r} (elements H..{self.symbols[Z_MAX]} are known)") from None

    def matrix(self, names: list[str]) -> np.ndarray:
        """[Z_MAX + 1, len(names)] property matrix (row 0 is zero)."""
        return np.stack([self.values[n] for n in names], axis=1)


def _electron_counts(conf: str, period: int) -> tuple[int, int, int]:
    """(s+p of shell n=period, d of shell period-1, f of shell period-2) from a configuration string."""
    from mendeleev.econf import ElectronicConfiguration

    occ = ElectronicConfiguration(conf).conf
    sp = occ.get((period, "s"), 0) + occ.get((period, "p"), 0)
    return sp, occ.get((period - 1, "d"), 0), occ.get((period - 2, "f"), 0)


def _fill_by_period(values: np.ndarray, period: np.ndarray) -> list[int]:
    """Fill NaNs in place (see module doc); returns the filled atomic numbers."""
    filled = []
    z_all = np.arange(len(values))
    for p in np.unique(period[1:]):
        rows = np.where(period == p)[0]
        rows = rows[rows > 0]
        known = rows[np.isfinite(values[rows])]
        holes = rows[~np.isfinite(values[rows])]
        if len(holes) == 0 or len(known) == 0:
            continue
        values[holes] = np.interp(z_all[holes], z_all[known], values[known])
        filled.extend(int(z) for z in holes)
    return filled


@lru_cache(maxsize=1)
def element_table() -> ElementTable:
    """The property table (read from mendeleev once per process)."""
    from mendeleev.electronegativity import mulliken
    from mendeleev.fetch import fetch_table

    el = fetch_table("elements").set_index("atomic_number").sort_index()
    ie = fetch_table("ionizationenergies")
    ie1 = ie[ie["ion_charge"] == 0].set_index("atomic_number")["ionization_energy"]
    zs = np.arange(Z_MAX + 1)
    symbols = [""] + [str(el.loc[z, "symbol"]) for z in zs[1:]]
    values: dict[str, np.ndarray] = {}
    for name, col in _COLUMNS.items():
        v = np.full(Z_MAX + 1, np.nan)
        v[1:] = el.loc[zs[1:], col].astype(float).to_numpy()
        values[name] = v
    values["atomic_number"] = zs.astype(float)
    lan_act = ((zs >= 57) & (zs <= 71)) | ((zs >= 89) & (zs <= 103))
    values["group"][lan_act & ~np.isfinite(values["group"])] = 3.0
    ion = np.full(Z_MAX + 1, np.nan)
    mull = np.full(Z_MAX + 1, np.nan)
    counts = np.zeros((Z_MAX + 1, 3))
    nval = np.full(Z_MAX + 1, np.nan)
    from mendeleev.econf import ElectronicConfiguration

    for z in zs[1:]:
        i1 = ie1.get(z)
        ea = el.loc[z, "electron_affinity"]
        i1 = None if i1 is None or not np.isfinite(i1) else float(i1)
        ea = None if ea is None or not np.isfinite(ea) else float(ea)
        ion[z] = np.nan if i1 is None else i1
        m = mulliken(i1, ea)
        mull[z] = np.nan if m is None else m
        conf = str(el.loc[z, "electronic_configuration"])
        period = int(el.loc[z, "period"])
        counts[z] = _electron_counts(conf, period)
        nval[z] = ElectronicConfiguration(conf).nvalence(str(el.loc[z, "block"]), period)
    values["ionization_energy_eV"] = ion
    values["electronegativity_mulliken_eV"] = mull
    values["sp_electrons"], values["d_electrons"], values["f_electrons"] = counts.T.copy()
    values["valence_electrons"] = nval
    period = values["period"]
    filled = {}
    for name in MAGPIE_PROPERTIES:
        holes = _fill_by_period(values[name], period)
        if holes:
            filled[name] = [symbols[z] for z in holes]
        values[name][0] = 0.0
    return ElementTable(symbols, values, filled, {s: z for z, s in enumerate(symbols) if z})


def filled_cells() -> dict[str, list[str]]:
    """property -> elements whose value was filled by interpolation (for the record in summaries)."""
    return element_table().filled


@lru_cache(maxsize=None)
def oxidation_states(symbol: str) -> tuple[int, ...]:
    """pymatgen's ICSD oxidation states of ``symbol`` (common states where ICSD has none)."""
    from pymatgen.core.periodic_table import Element

    try:
        e = Element(symbol)
    except ValueError:
        raise InputError(f"unknown element {symbol!r}") from None
    return tuple(int(q) for q in (e.icsd_oxidation_states or e.common_oxidation_states))


@lru_cache(maxsize=None)
def is_cation_element(symbol: str) -> bool:
    """A metal or metalloid (pymatgen's classification) with a positive oxidation state."""
    from pymatgen.core.periodic_table import Element

    e = Element(symbol)
    return bool(e.is_metal or e.is_metalloid) and any(q > 0 for q in oxidation_states(symbol))
