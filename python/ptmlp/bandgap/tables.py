"""CSV tables between the stages (written atomically), and the site-mixture notation used in them
(``Zn:9/10;Mn:1/10``: element:fraction of the site, exact)."""

from __future__ import annotations

import csv
from fractions import Fraction
from pathlib import Path

from ..atomic import atomic_open
from ..errors import InputError


def write_csv(path: str | Path, header: list[str], rows) -> Path:
    with atomic_open(path, "w") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        for row in rows:
            w.writerow([_cell(v) for v in row])
    return Path(path)


def _cell(v):
    if isinstance(v, float):
        return repr(v)
    return v


def read_csv(path: str | Path, stage: str) -> list[dict[str, str]]:
    """Rows of a table written by an earlier stage; a missing table names the stage that writes it."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path} is missing: run `ptmlp bandgap {stage}` (or `ptmlp bandgap run`) first")
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def site_text(site: dict[str, Fraction]) -> str:
    return ";".join(f"{el}:{Fraction(s)}" for el, s in site.items())


def parse_site(text: str) -> dict[str, Fraction]:
    out = {}
    for part in text.split(";"):
        el, s = part.split(":")
        out[el] = Fraction(s)
    return out
