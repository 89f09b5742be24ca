"""Result records of the transport analyses: a value with its 1-sigma error, warnings collected on
the way, and the HDF5 writer of the arrays (``summary.json`` is written by
:func:`ptmlp.jsonfile.write_json`, the one results writer).

Errors follow the one uncertainty model of ptmlp (:mod:`ptmlp.uncertainty`): per-run errors from
block averaging with the measured statistical inefficiency and a Student-t factor, runs combined by
their scatter (:func:`combine`), statistical and systematic errors apart. A headline number is
written by :meth:`Estimate.as_dict <ptmlp.uncertainty.Estimate.as_dict>` (``key``, ``key_err`` the
total, ``key_stat_err``, ``key_sys_err`` -- null when not estimated -- and ``key_error_model``); a
secondary number by :meth:`Measurement.as_dict` (``key``, ``key_err``)."""

from __future__ import annotations

import math
import os
import warnings
from dataclasses import dataclass, field
from typing import Any, Optional, Sequence

import numpy as np

from ..uncertainty import Estimate, combine_runs


#: what the error keys of a transport summary mean
UNCERTAINTY_NOTE = ("1 sigma (68 %); KEY_err = total (KEY_stat_err and KEY_sys_err in quadrature; KEY_sys_err "
                    "null = not estimated); KEY_error_model says how (ptmlp.uncertainty)")


class TransportWarning(UserWarning):
    """A result that was computed but should not be trusted without the suggested fix
    (non-linear profile, short run, no plateau, untrustworthy extrapolation, ...)."""


@dataclass
class Measurement:
    """A value with its one-standard-error uncertainty (68 %), in the unit its key names."""

    value: float
    std_err: float

    def __post_init__(self):
        self.value = float(self.value)
        self.std_err = float(self.std_err)

    @property
    def relative_err(self) -> float:
        return abs(self.std_err / self.value) if self.value else math.inf

    def scaled(self, factor: float) -> "Measurement":
        return Measurement(self.value * factor, abs(self.std_err * factor))

    def as_dict(self, key: str) -> dict[str, float]:
        """``{key: value, key_err: 1-sigma error}`` (a secondary number; results use :class:`Estimate`)."""
        return {key: self.value, f"{key}_err": self.std_err}

    def estimate(self, sys_err: Optional[float] = None, note: str = "not estimated", **details) -> Estimate:
        """This value as an :class:`~ptmlp.uncertainty.Estimate` whose statistical error is ``std_err``."""
        return Estimate(self.value, self.std_err, details=details).with_systematic(sys_err, note)

    def __format__(self, spec: str) -> str:
        spec = spec or ".4g"
        return f"{self.value:{spec}} +- {self.std_err:{spec}}"


def combine(items: Sequence[Measurement]) -> Estimate:
    """Independent runs of one quantity by the one rule of :func:`ptmlp.uncertainty.combine_runs`: the
    mean, its error the runs' scatter x the Student-t factor, never below the propagated per-run errors."""
    return combine_runs([m.value for m in items], [m.std_err for m in items])


def measurement(est: Estimate) -> Measurement:
    """An :class:`~ptmlp.uncertainty.Estimate` as a value with its total 1-sigma error."""
    return Measurement(est.value, est.total_err)


@dataclass
class Notes:
    """Warnings gathered by an analysis; each is also emitted as a :class:`TransportWarning`."""

    messages: list[str] = field(default_factory=list)

    def warn(self, message: str, stacklevel: int = 3) -> None:
        self.messages.append(message)
        warnings.warn(message, TransportWarning, stacklevel=stacklevel)


def write_arrays_h5(path: str | os.PathLike, groups: dict[str, dict[str, Any]],
                    attrs: Optional[dict[str, Any]] = None) -> None:
    """Write {group: {name: array}} to HDF5 (correlation functions, profiles, MSDs);
    dataset names carry their unit (``lag_time_ps``, ``acf_W2_per_m2``)."""
    import h5py

    with h5py.File(path, "w") as h5:
        for key, value in (attrs or {}).items():
            h5.attrs[key] = value
        for gname, arrays in groups.items():
            g = h5.create_group(gname)
            for name, arr in arrays.items():
                if arr is None:
                    continue
                g.create_dataset(name, data=np.asarray(arr))
