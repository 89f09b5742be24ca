"""GPAW labels with Fermi-Dirac occupations at an electronic temperature T_e.

Plane-wave mode (so the stress exists); occupation width k_B T_e; the stored energy is the
force-consistent electronic *free* energy (``results['free_energy']``), not the zero-width
extrapolation. Installed by ``make venv`` from PyPI with labelers/gpaw_siteconfig.py (no libxc:
LDA, PBE, revPBE, RPBE).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Optional

from pydantic import Field

from ..errors import InputError
from ..units import KB_EV_PER_K
from .base import Labeler

XC_AVAILABLE = ("LDA", "PBE", "revPBE", "RPBE")
#: a config key naming one of the functionals of this GPAW build
Xc = Literal[XC_AVAILABLE]
#: a config key holding a Monkhorst-Pack k-point grid [n1, n2, n3]
Kpts = Annotated[list[Annotated[int, Field(ge=1)]], Field(min_length=3, max_length=3)]


class GpawLabeler(Labeler):
    name = "gpaw"
    blas_threads = 1  # one BLAS thread per label (GPAW's own advice: parallelise with MPI/processes)

    def __init__(self, te_K: float, xc: str = "PBE", ecut_eV: float = 400.0, kpt_density_per_A: float = 3.0,
                 kpts: Optional[tuple[int, int, int]] = None, scf_energy_tol_eV: float = 1e-6,
                 maxiter: int = 200, spinpol: bool = False):
        super().__init__()
        if not te_K > 0:
            raise InputError(f"GPAW labeler te_K={te_K} must be positive (Fermi-Dirac width k_B T_e)")
        if xc not in XC_AVAILABLE:
            raise InputError(f"GPAW labeler xc={xc!r}: this GPAW build (no libxc) has {', '.join(XC_AVAILABLE)}")
        if ecut_eV < 100:
            raise InputError(f"GPAW labeler ecut_eV={ecut_eV} is too low (use >= 200 eV; 400-500 for O, Fe)")
        self.te_K = float(te_K)
        self.xc, self.ecut_eV, self.kpt_density_per_A = xc, float(ecut_eV), float(kpt_density_per_A)
        self.kpts = tuple(kpts) if kpts is not None else None
        self.scf_energy_tol_eV, self.maxiter, self.spinpol = float(scf_energy_tol_eV), int(maxiter), bool(spinpol)

    def settings(self) -> dict[str, Any]:
        import gpaw

        return {"code": f"gpaw {gpaw.__version__}", "mode": "pw", "xc": self.xc, "ecut_eV": self.ecut_eV,
                "kpts": list(self.kpts) if self.kpts else {"density_per_A": self.kpt_density_per_A},
                "occupations": "fermi-dirac", "width_eV": KB_EV_PER_K * self.te_K, "te_K": self.te_K,
                "energy": "free_energy (force-consistent)", "spinpol": self.spinpol}

    def make_calculator(self):
        from gpaw import GPAW, PW

        kpts = list(self.kpts) if self.kpts else {"density": self.kpt_density_per_A, "gamma": True}
        return GPAW(mode=PW(self.ecut_eV), xc=self.xc, kpts=kpts,
                    occupations={"name": "fermi-dirac", "width": KB_EV_PER_K * self.te_K},
                    convergence={"energy": self.scf_energy_tol_eV}, maxiter=self.maxiter,
                    spinpol=self.spinpol, txt=None, symmetry="off")
