"""The density profile of the plots: averaging finely binned layers over one lattice period of the
solid gives its true density, where bins of the initial unit cell alias into fake peaks."""

from __future__ import annotations

import numpy as np

from ptmlp.melting.plots import period_average
from ptmlp.melting.units import UnitView


def test_period_average_recovers_the_solid_density_where_cell_bins_alias():
    rng = np.random.default_rng(0)
    n_cells, per_cell = 8, 40
    period = 1.0 / 8.9  # the solid's period no longer divides the box (the liquid half expanded it)
    planes = np.arange(0.0, 0.5, period / 2)  # two planes per period, lower half solid
    z_solid = (planes[None, :] + 0.004 * rng.normal(size=(4000, len(planes)))).ravel()
    z_liquid = rng.uniform(0.5, 1.0, size=int(len(z_solid) * 0.9))  # a 10 % less dense liquid
    counts, _ = np.histogram(np.concatenate([z_solid, z_liquid]), bins=n_cells * per_cell, range=(0, 1))
    z = (np.arange(n_cells * per_cell) + 0.5) / (n_cells * per_cell)
    rho = counts / counts[z > 0.55].mean() * 0.9  # liquid = 0.9, true solid = 1.0
    smooth = period_average(z, rho, period)
    inner = (z > 0.1) & (z < 0.4)
    assert abs(smooth[inner].mean() - 1.0) < 0.01 and smooth[inner].std() < 0.02
    by_cell = rho.reshape(n_cells, per_cell).mean(axis=1)[1:3]  # bins of the initial unit cell
    assert np.abs(by_cell - 1.0).max() > 0.03  # aliased: off by several %
    assert abs(period_average(z, np.ones_like(z), 0.123).mean() - 1.0) < 1e-12


def test_reduced_units():
    u = UnitView(0.010323, 3.405)
    assert u.T(119.79) == np.float64(u.T(119.79)) and abs(float(u.T(119.79)) - 1.0) < 1e-3
    assert abs(float(u.P(0.041895)) - 1.0) < 1e-3 and u.T_name == "T*" and u.P_unit == "epsilon/sigma^3"
    assert UnitView().T_unit == "K" and float(UnitView().P(3.0)) == 3.0
