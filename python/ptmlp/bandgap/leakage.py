"""A ledger of every fit: which compositions it trained on and which it must never have seen.
The workflow records each fit here and :meth:`FitLedger.check` refuses any overlap, so a held-out
composition that slipped into a training set stops the run (and fails the tests)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import PtmlpError


class LeakageError(PtmlpError):
    """Raised when a held-out composition appears in a training set."""


@dataclass
class FitLedger:
    """``fits``: name -> (training keys, held-out keys)."""

    fits: dict[str, tuple[frozenset[str], frozenset[str]]] = field(default_factory=dict)

    def record(self, name: str, train_keys, held_out_keys) -> None:
        train, held = frozenset(train_keys), frozenset(held_out_keys)
        self.fits[name] = (train, held)
        self._check_one(name, train, held)

    @staticmethod
    def _check_one(name: str, train: frozenset[str], held: frozenset[str]) -> None:
        both = train & held
        if both:
            raise LeakageError(f"fit {name!r}: {len(both)} held-out composition(s) in its training set, e.g. "
                               f"{sorted(both)[0]}")

    def check(self) -> int:
        """Check every recorded fit again; returns how many were checked."""
        for name, (train, held) in self.fits.items():
            self._check_one(name, train, held)
        return len(self.fits)

    def summary(self) -> dict:
        return {"fits_checked": len(self.fits),
                "fits": {n: {"train": len(t), "held_out": len(h)} for n, (t, h) in self.fits.items()}}
