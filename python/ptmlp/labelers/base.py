"""Labelers turn structures into labelled frames; any ASE calculator can be one.

A labeler must be picklable (it travels to worker processes or MPI ranks) and build its
calculator lazily in :meth:`Labeler.calculator`.
"""

from __future__ import annotations

import contextlib
import math
from typing import Any, Callable, Iterator, Optional

from ase import Atoms

from ..data.frame import Frame
from ..errors import PtmlpError


class LabelFailure(PtmlpError):
    """A frame could not be labelled. ``reason`` is one of ``scf_not_converged``, ``crash``,
    ``timeout``, ``invalid_result``."""

    def __init__(self, reason: str, message: str):
        super().__init__(f"{reason}: {message}")
        self.reason = reason
        self.message = message


@contextlib.contextmanager
def blas_thread_limit(n: Optional[int]) -> Iterator[None]:
    """At most ``n`` BLAS threads inside the block (None: no limit). numpy's OpenBLAS starts one
    thread per core; next to GPAW's own work on a shared node they fight: a 4-atom GPAW label took
    22.8 s CPU / 65 s wall with 2 OpenBLAS threads and 4.1 s / 10 s with one on the loaded 2-core
    development machine (issue #25). threadpoolctl changes it after numpy is loaded."""
    if n is None:
        yield
        return
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=int(n), user_api="blas"):
        yield


class Labeler:
    """Base class: subclasses implement :meth:`make_calculator` and :meth:`settings`."""

    name = "labeler"
    te_K: float = math.nan
    #: BLAS threads while one label is computed (None: as the process has them)
    blas_threads: Optional[int] = None

    def __init__(self) -> None:
        self._calc = None

    def make_calculator(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def settings(self) -> dict[str, Any]:
        return {}

    def calculator(self):
        if self._calc is None:
            self._calc = self.make_calculator()
        return self._calc

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_calc"] = None  # calculators are rebuilt in each worker
        return state

    def classify(self, exc: BaseException) -> str:
        text = f"{type(exc).__name__} {exc}".lower()
        return "scf_not_converged" if "converge" in text else "crash"

    def label(self, atoms: Atoms, group: str = "") -> Frame:
        """Energy (free energy if the calculator has one), forces and stress of ``atoms``."""
        work = atoms.copy()
        work.calc = self.calculator()
        try:
            with blas_thread_limit(self.blas_threads):
                work.get_forces()
                if work.pbc.all():
                    work.get_stress()
        except LabelFailure:
            raise
        except Exception as exc:  # any calculator error is recorded per frame, never fatal
            self._calc = None  # a failed calculator may hold broken state
            raise LabelFailure(self.classify(exc), f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}") from None
        frame = Frame.from_atoms(work, group=group, te_K=self.te_K,
                                 provenance={"labeler": self.name, **self.settings()})
        if not math.isfinite(frame.energy_eV):
            raise LabelFailure("invalid_result", f"energy {frame.energy_eV}")
        return frame


class AseLabeler(Labeler):
    """Any ASE calculator, built by ``factory()`` (a picklable callable, e.g. a module-level function)."""

    def __init__(self, factory: Callable[[], Any], name: str = "ase", settings: Optional[dict] = None,
                 te_K: float = math.nan):
        super().__init__()
        self.factory = factory
        self.name = name
        self._settings = dict(settings or {})
        self.te_K = te_K

    def make_calculator(self):
        return self.factory()

    def settings(self) -> dict[str, Any]:
        return dict(self._settings)
