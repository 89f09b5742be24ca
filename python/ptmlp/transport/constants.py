"""SI conversion factors for LAMMPS ``units metal`` outputs (converted once, on reading).

Every analysis in :mod:`ptmlp.transport` works in SI (m, s, J, K, Pa, kg, C); the readers
convert LAMMPS metal-unit columns with the factors below. Values: CODATA 2018 (via scipy),
except the bar, which is exact.
"""

from __future__ import annotations

from scipy import constants as _c

KB_J_PER_K = _c.k
EV_J = _c.eV
E_CHARGE_C = _c.e
AVOGADRO = _c.N_A

ANGSTROM_M = 1e-10
PS_S = 1e-12
BAR_PA = 1e5
#: 1 g/mol (LAMMPS metal mass) in kg
GRAM_PER_MOL_KG = 1e-3 / _c.N_A
#: 1 A/ps in m/s
A_PER_PS_M_PER_S = ANGSTROM_M / PS_S
#: 1 A^2/ps in m^2/s (diffusion coefficients)
A2_PER_PS_M2_PER_S = ANGSTROM_M ** 2 / PS_S
#: LAMMPS compute heat/flux output (J*V, eV*A/ps) -> W*m (J*m/s)
EV_A_PER_PS_W_M = EV_J * ANGSTROM_M / PS_S
#: momentum g/mol*A/ps -> kg m/s
MOMENTUM_METAL_SI = GRAM_PER_MOL_KG * A_PER_PS_M_PER_S

#: the only LAMMPS unit system the templates and readers accept
SUPPORTED_UNITS = ("metal",)


class LJUnits:
    """Reduced Lennard-Jones units for a given (epsilon, sigma, mass), to compare SI results
    with published reduced values (kappa*, eta*, D*).

    kappa* = kappa sigma^2 / k_B sqrt(m / epsilon); eta* = eta sigma^2 / sqrt(m epsilon);
    D* = D sqrt(m / epsilon) / sigma; T* = k_B T / epsilon; rho* = rho sigma^3.
    """

    def __init__(self, epsilon_eV: float, sigma_A: float, mass_g_per_mol: float):
        self.epsilon_J = epsilon_eV * EV_J
        self.sigma_m = sigma_A * ANGSTROM_M
        self.mass_kg = mass_g_per_mol * GRAM_PER_MOL_KG

    @property
    def time_s(self) -> float:
        return self.sigma_m * (self.mass_kg / self.epsilon_J) ** 0.5

    def temperature_K(self, t_star: float) -> float:
        return t_star * self.epsilon_J / KB_J_PER_K

    def kappa_W_per_mK(self, kappa_star: float) -> float:
        return kappa_star * KB_J_PER_K / self.sigma_m ** 2 * (self.epsilon_J / self.mass_kg) ** 0.5

    def viscosity_Pa_s(self, eta_star: float) -> float:
        return eta_star * (self.mass_kg * self.epsilon_J) ** 0.5 / self.sigma_m ** 2

    def D_m2_per_s(self, d_star: float) -> float:
        return d_star * self.sigma_m * (self.epsilon_J / self.mass_kg) ** 0.5

    def kappa_star(self, kappa_W_per_mK: float) -> float:
        return kappa_W_per_mK / self.kappa_W_per_mK(1.0)

    def eta_star(self, viscosity_Pa_s: float) -> float:
        return viscosity_Pa_s / self.viscosity_Pa_s(1.0)

    def D_star(self, D_m2_per_s: float) -> float:
        return D_m2_per_s / self.D_m2_per_s(1.0)


#: Lennard-Jones argon (epsilon/k_B = 119.8 K, sigma = 3.405 A, m = 39.948 g/mol), the usual
#: mapping of reduced LJ results onto argon (e.g. Rahman, Phys. Rev. 136, A405 (1964)).
ARGON = LJUnits(epsilon_eV=119.8 * _c.k / _c.eV, sigma_A=3.405, mass_g_per_mol=39.948)
