"""Charge balance of an oxide with common oxidation states.

The rule is pymatgen's (``Composition.oxi_state_guesses`` is non-empty): write the composition as its
smallest integer formula, give every atom one of its element's oxidation states (pymatgen's ICSD states,
:func:`elements.oxidation_states`; atoms of one element may differ, so mixed valence as in Fe3O4 or
LiMn2O4 is allowed) and ask whether the charges can sum to zero. In an oxide O is O2- and the cations take
only their positive states. pymatgen answers by enumerating and ranking every combination (seconds for a
70-atom formula such as Zn9MnBi20O40); here only the yes/no is needed, so the attainable charge sums are
built as sets -- the same answer (tests compare the two), thousands of times faster.
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

from .elements import oxidation_states
from .formula import integer_amounts


@lru_cache(maxsize=None)
def _sums(states: tuple[int, ...], n: int) -> frozenset[int]:
    """All totals of n atoms each in one of ``states``."""
    if n == 0:
        return frozenset({0})
    half = _sums(states, n // 2)
    out = {a + b for a in half for b in half}
    if n % 2:
        out = {a + q for a in out for q in states}
    return frozenset(out)


def oxide_states(symbol: str) -> tuple[int, ...]:
    """O: (-2,); any other element: its positive oxidation states."""
    if symbol == "O":
        return (-2,)
    return tuple(q for q in oxidation_states(symbol) if q > 0)


def charge_balanced(amounts: dict[str, Fraction | int], states=oxide_states) -> bool:
    """True when the oxide ``amounts`` can be charge-balanced (see module doc)."""
    totals = {0}
    for el, n in sorted(integer_amounts(amounts).items()):
        qs = tuple(sorted(states(el)))
        if not qs:
            return False
        totals = {t + s for t in totals for s in _sums(qs, n)}
    return 0 in totals
