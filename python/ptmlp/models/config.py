"""Typed hyper-parameters of the model architectures (one place; lengths in angstrom)."""

from __future__ import annotations

from typing import Annotated, Literal, Optional

from pydantic import Field, field_validator, model_validator

from ..config import StrictModel, field
from ..errors import InputError


class ModelConfig(StrictModel):
    """Hyper-parameters of the ptmlp_v1 model (lengths in angstrom)."""

    type_names: Optional[list[str]] = field(None, "model species in type order (training default: the "
                                                  "dataset's species); needed to build a model", min_length=1)
    r_cut: float = field(5.0, "neighbour cutoff (A); energies and forces go smoothly to zero there", gt=0)
    n_radial: int = field(8, "number of Bessel radial functions per neighbour species", ge=1)
    n_channels: int = field(12, "learned radial x neighbour-species channels entering the power spectrum", ge=1)
    l_max: int = field(3, "highest angular momentum of the real spherical harmonics", ge=0, le=6)
    hidden_widths: list[Annotated[int, Field(ge=1)]] = field(
        default_factory=lambda: [64, 64], description="hidden-layer widths of each per-species energy network")
    envelope_p: int = field(6, "exponent of the polynomial cutoff envelope (C^2 smooth at r_cut for p >= 2)", ge=2)
    zbl: bool = field(True, "add a ZBL screened-Coulomb repulsion at short range (needs element names)")
    zbl_inner_cov_fraction: float = field(0.4, "ZBL fully on below this fraction of the summed covalent radii",
                                          gt=0)
    zbl_outer_cov_fraction: float = field(0.6, "ZBL switched off smoothly (C^2) at this fraction of the summed "
                                               "covalent radii", gt=0)
    dtype: Literal["float64", "float32"] = field("float64", "floating-point precision of the model")
    electronic_temperature: bool = field(False, "the electronic temperature T_e (K) is a model input: energy = "
                                                "electronic free energy F(R, T_e)")
    te_scale_K: float = field(10000.0, "T_e enters the networks as t = T_e / te_scale_K and t^2", gt=0)
    te_per_atom: bool = field(False, "T_e may be given per atom (metadata per_atom); otherwise one per structure")

    @field_validator("type_names")
    @classmethod
    def _distinct(cls, names: Optional[list[str]]) -> Optional[list[str]]:
        if names is not None and len(set(names)) != len(names):
            raise ValueError("must list each species once")
        return names

    @model_validator(mode="after")
    def _cross_checks(self) -> "ModelConfig":
        if not self.zbl_outer_cov_fraction > self.zbl_inner_cov_fraction:
            raise ValueError(f"zbl_outer_cov_fraction {self.zbl_outer_cov_fraction} must be larger than "
                             f"zbl_inner_cov_fraction {self.zbl_inner_cov_fraction}")
        if self.zbl and self.type_names is not None:
            from ase.data import atomic_numbers

            unknown = [n for n in self.type_names if n not in atomic_numbers]
            if unknown:
                raise ValueError(f"type_names {unknown} are not element symbols; ZBL needs them "
                                 "(set zbl: false for non-element species)")
        return self

    def require_type_names(self) -> list[str]:
        """The model species; one-line :class:`InputError` when they were not given."""
        if self.type_names is None:
            raise InputError("model.type_names is required to build a model (e.g. [Mg, Si, O])")
        return list(self.type_names)
