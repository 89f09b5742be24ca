"""Result records of the transport analyses: a value with its standard error, warnings
collected on the way, and the HDF5 writer of the arrays (``summary.json`` is written by
:func:`ptmlp.jsonfile.write_json`, the one results writer)."""

from __future__ import annotations

import math
import os
import warnings
from dataclasses import dataclass, field
from typing import Any, Optional

import numpy as np


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
        return {key: self.value, f"{key}_std_err": self.std_err}

    def __format__(self, spec: str) -> str:
        spec = spec or ".4g"
        return f"{self.value:{spec}} +- {self.std_err:{spec}}"


def mean_of_runs(values) -> Measurement:
    """Mean and standard error of independent estimates (std_err = s / sqrt(n); NaN for n = 1)."""
    v = np.asarray(values, dtype=float)
    if v.size == 1:
        return Measurement(v[0], math.nan)
    return Measurement(v.mean(), v.std(ddof=1) / math.sqrt(v.size))


def inverse_variance_mean(items: list[Measurement]) -> Measurement:
    """Weighted mean of independent measurements with known errors."""
    w = np.array([1.0 / m.std_err ** 2 for m in items])
    v = np.array([m.value for m in items])
    return Measurement((w * v).sum() / w.sum(), math.sqrt(1.0 / w.sum()))


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
