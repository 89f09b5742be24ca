"""Chemical formulas: parsing (``Ag(AuS)2``, ``Ag0.5Ge1Pb1.75S4``), the canonical key used to join and
de-duplicate compositions, and the fractions the featurisers take.

The key of a composition is its smallest integer formula with the elements in alphabetical order and
counts of 1 left out: ``Zn2Bi4O8`` -> ``Bi2O4Zn``, ``Zn0.9Mn0.1Bi2O4`` -> ``Bi20Mn1O40Zn9`` is written
``Bi20MnO40Zn9``. Two formulas describe the same composition exactly when their keys are equal.
Amounts are read as exact decimals (``Fraction("1.75")``), so the key never depends on float rounding.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from functools import lru_cache

from ase.data import chemical_symbols

from ..errors import InputError

#: every element symbol (ASE's table)
ELEMENT_SYMBOLS = frozenset(chemical_symbols[1:])
_TOKEN = re.compile(r"\s*(?:(?P<el>[A-Z][a-z]?)|(?P<open>[(\[])|(?P<close>[)\]])|(?P<num>\d+(?:\.\d*)?|\.\d+))")
_PAIR = {"(": ")", "[": "]"}
_FLAT = re.compile(r"(?:[A-Z][a-z]?(?:\d+(?:\.\d*)?|\.\d+)?)+")
_FLAT_PART = re.compile(r"([A-Z][a-z]?)(\d+(?:\.\d*)?|\.\d+)?")


def _amount(text: str) -> int | Fraction:
    return int(text) if text.isdigit() else Fraction(text)


def _parse_flat(text: str) -> dict[str, int | Fraction] | None:
    """Fast path for formulas without brackets (``Bi2O4Zn``); None when it does not apply."""
    if _FLAT.fullmatch(text) is None:
        return None
    out: dict[str, int | Fraction] = {}
    for el, num in _FLAT_PART.findall(text):
        if el not in ELEMENT_SYMBOLS:
            raise InputError(f"formula {text!r}: unknown element {el!r}")
        n = _amount(num) if num else 1
        if n <= 0:
            raise InputError(f"formula {text!r}: amount {num} is not positive")
        out[el] = out.get(el, 0) + n
    return out


def parse_formula(text: str) -> dict[str, int | Fraction]:
    """Element -> amount (exact) of ``text``; a repeated element adds up (``OHO`` -> O2H1).
    Raises :class:`InputError` naming the formula for an unknown element, an unbalanced bracket,
    a stray character or a zero amount."""
    if not isinstance(text, str) or not text.strip():
        raise InputError(f"empty formula {text!r}")
    text_s = text.strip()
    flat = _parse_flat(text_s)
    if flat is not None:
        return flat
    stack: list[tuple[dict[str, Fraction], str]] = [({}, "")]
    pos, last = 0, None  # last: the group or element a following number multiplies
    while pos < len(text_s):
        m = _TOKEN.match(text_s, pos)
        if m is None or m.end() == pos:
            raise InputError(f"formula {text!r}: cannot read {text_s[pos:]!r} (expected an element symbol such as "
                             "Zn, a number or a bracket)")
        pos = m.end()
        if m["el"]:
            el = m["el"]
            if el not in ELEMENT_SYMBOLS:
                raise InputError(f"formula {text!r}: unknown element {el!r}")
            stack[-1][0][el] = stack[-1][0].get(el, Fraction(0)) + 1
            last = ("el", el)
        elif m["open"]:
            stack.append(({}, m["open"]))
            last = None
        elif m["close"]:
            if len(stack) == 1 or _PAIR[stack[-1][1]] != m["close"]:
                raise InputError(f"formula {text!r}: unbalanced {m['close']!r}")
            group, _ = stack.pop()
            if not group:
                raise InputError(f"formula {text!r}: empty brackets")
            for el, n in group.items():
                stack[-1][0][el] = stack[-1][0].get(el, Fraction(0)) + n
            last = ("group", group)
        else:
            if last is None:
                raise InputError(f"formula {text!r}: number {m['num']!r} does not follow an element or a bracket")
            factor = Fraction(m["num"])
            if factor <= 0:
                raise InputError(f"formula {text!r}: amount {m['num']} is not positive")
            target = stack[-1][0]
            if last[0] == "el":  # the element counted once already
                target[last[1]] += factor - 1
            else:
                for el, n in last[1].items():
                    target[el] += n * (factor - 1)
            last = None
    if len(stack) != 1:
        raise InputError(f"formula {text!r}: unbalanced {stack[-1][1]!r}")
    amounts = stack[0][0]
    if not amounts:
        raise InputError(f"formula {text!r} holds no element")
    return amounts


def integer_amounts(amounts: dict[str, Fraction | int]) -> dict[str, int]:
    """The smallest integer multiple of ``amounts`` (``{Zn: 0.9, Mn: 0.1, ...}`` -> ``{Zn: 9, Mn: 1, ...}``)."""
    if all(isinstance(n, int) for n in amounts.values()):
        g = 0
        for v in amounts.values():
            g = math.gcd(g, v)
        return {el: v // g for el, v in amounts.items() if v}
    fr = {el: Fraction(n) for el, n in amounts.items() if n != 0}
    den = 1
    for v in fr.values():
        den = den * v.denominator // math.gcd(den, v.denominator)
    ints = {el: int(v * den) for el, v in fr.items()}
    g = 0
    for v in ints.values():
        g = math.gcd(g, v)
    return {el: v // g for el, v in ints.items()}


def format_amounts(amounts: dict[str, int | Fraction], order: list[str] | None = None) -> str:
    """``{Zn: 1, Bi: 2, O: 4}`` -> ``ZnBi2O4`` in ``order`` (default alphabetical); 1 is left out,
    non-integer amounts are written as decimals (``0.9``)."""
    out = []
    for el in (order if order is not None else sorted(amounts)):
        n = amounts[el]
        if not isinstance(n, int):
            n = Fraction(n)
            n = n.numerator if n.denominator == 1 else n
        num = "" if n == 1 else (str(n) if isinstance(n, int) else _decimal(n))
        out.append(f"{el}{num}")
    return "".join(out)


def _decimal(n: Fraction) -> str:
    text = f"{float(n):.6f}".rstrip("0").rstrip(".")
    return text


def composition_key(amounts: dict[str, Fraction | int]) -> str:
    """The canonical key (smallest integer formula, alphabetical): equal keys = same composition."""
    return format_amounts(integer_amounts(amounts))


@lru_cache(maxsize=None)
def formula_key(text: str) -> str:
    """:func:`composition_key` of a formula string."""
    return composition_key(parse_formula(text))


def fractions(amounts: dict[str, Fraction | int]) -> dict[str, float]:
    """Atomic fractions (sum 1) in alphabetical order of the elements."""
    total = sum(Fraction(v) for v in amounts.values())
    return {el: float(Fraction(amounts[el]) / total) for el in sorted(amounts)}


def is_oxide(amounts: dict[str, Fraction | int]) -> bool:
    """Holds oxygen and at least one other element."""
    return "O" in amounts and len(amounts) > 1
