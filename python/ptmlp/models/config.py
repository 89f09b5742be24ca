"""Typed hyper-parameters of the model architectures (one place, units in the names)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

from ..errors import InputError


@dataclass
class ModelConfig:
    """Hyper-parameters of :class:`ptmlp.models.ptmlp_v1.PtmlpV1`.

    Lengths are in angstrom.
    """

    type_names: list[str]
    #: neighbour cutoff (angstrom); energies and forces go smoothly to zero there
    r_cut: float = 5.0
    #: number of Bessel radial functions per neighbour species
    n_radial: int = 8
    #: learned radial x neighbour-species channels entering the power spectrum
    n_channels: int = 12
    #: highest angular momentum of the real spherical harmonics
    l_max: int = 3
    #: hidden-layer widths of each per-species energy network
    hidden_widths: list[int] = field(default_factory=lambda: [64, 64])
    #: exponent of the polynomial cutoff envelope (C^2 smooth at r_cut for p >= 2)
    envelope_p: int = 6
    #: add a ZBL screened-Coulomb repulsion at short range (needs element names)
    zbl: bool = True
    #: ZBL is on in full below this fraction of the summed covalent radii ...
    zbl_inner_cov_fraction: float = 0.4
    #: ... and switched off smoothly (C^2) at this fraction
    zbl_outer_cov_fraction: float = 0.6
    #: "float64" (default) or "float32"
    dtype: str = "float64"
    #: the electronic temperature T_e (K) is a model input: energy = electronic free energy F(R, T_e)
    electronic_temperature: bool = False
    #: T_e enters the networks as t = T_e / te_scale_K and t^2
    te_scale_K: float = 10000.0
    #: T_e may be given per atom (metadata per_atom); otherwise one T_e per structure
    te_per_atom: bool = False

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Raise :class:`InputError` naming the first bad value."""
        if not self.type_names or len(set(self.type_names)) != len(self.type_names):
            raise InputError(f"type_names {self.type_names!r} must be a non-empty list without duplicates")
        checks = [
            ("r_cut", self.r_cut > 0, "a positive length in angstrom"),
            ("n_radial", self.n_radial >= 1, "an integer >= 1"),
            ("n_channels", self.n_channels >= 1, "an integer >= 1"),
            ("l_max", 0 <= self.l_max <= 6, "an integer in 0..6"),
            ("hidden_widths", all(w >= 1 for w in self.hidden_widths), "a list of positive integers"),
            ("envelope_p", self.envelope_p >= 2, "an integer >= 2"),
            ("zbl_outer_cov_fraction", self.zbl_outer_cov_fraction > self.zbl_inner_cov_fraction > 0,
             "larger than zbl_inner_cov_fraction > 0"),
            ("dtype", self.dtype in ("float64", "float32"), "float64 or float32"),
            ("te_scale_K", self.te_scale_K > 0, "a positive temperature in K"),
        ]
        for name, ok, expected in checks:
            if not ok:
                raise InputError(f"model config {name}={getattr(self, name)!r} must be {expected}")
        if self.zbl:
            from ase.data import atomic_numbers
            unknown = [n for n in self.type_names if n not in atomic_numbers]
            if unknown:
                raise InputError(f"type_names {unknown} are not element symbols; ZBL needs them "
                                 "(set zbl: false for non-element species)")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ModelConfig":
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise InputError(f"unknown model config key(s) {unknown}; known keys: {sorted(known)}")
        return cls(**data)
