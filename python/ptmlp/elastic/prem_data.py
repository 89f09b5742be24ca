"""PREM, isotropic version, reference period 1 s: the published polynomial coefficients.

Source: A. M. Dziewonski and D. L. Anderson, "Preliminary reference Earth model",
Phys. Earth Planet. Inter. 25, 297-356 (1981), Table I (isotropic coefficients; the
transversely isotropic upper mantle 24.4-220 km is given here by its isotropic equivalent,
as in the paper). Each quantity in a layer is a cubic in x = r / 6371 km:
value = a0 + a1 x + a2 x^2 + a3 x^3, with density in g/cm^3 and velocities in km/s.

Typed from the paper's table; cross-checked against the independently tabulated PREM values
(Table II of the paper: density, Vp, Vs, pressure at 1221.5, 3480 and 5701 km radius) in
tests/unit/test_elastic_prem.py. Pressure and gravity are not tabulated here: ptmlp integrates
hydrostatic equilibrium from these densities (see prem.py); the test checks that the result
reproduces Table II pressures (135.75 GPa at the CMB, 328.85 GPa at the ICB, 363.85 GPa at
the centre).
"""

EARTH_RADIUS_KM = 6371.0

#: (name, r_bottom_km, r_top_km, rho coefficients, vp coefficients, vs coefficients)
PREM_LAYERS = (
    ("inner core", 0.0, 1221.5, (13.0885, 0.0, -8.8381, 0.0), (11.2622, 0.0, -6.3640, 0.0),
     (3.6678, 0.0, -4.4475, 0.0)),
    ("outer core", 1221.5, 3480.0, (12.5815, -1.2638, -3.6426, -5.5281), (11.0487, -4.0362, 4.8023, -13.5732),
     (0.0, 0.0, 0.0, 0.0)),
    ("D''", 3480.0, 3630.0, (7.9565, -6.4761, 5.5283, -3.0807), (15.3891, -5.3181, 5.5242, -2.5514),
     (6.9254, 1.4672, -2.0834, 0.9783)),
    ("lower mantle", 3630.0, 5600.0, (7.9565, -6.4761, 5.5283, -3.0807), (24.9520, -40.4673, 51.4832, -26.6419),
     (11.1671, -13.7818, 17.4575, -9.2777)),
    ("lower mantle (top)", 5600.0, 5701.0, (7.9565, -6.4761, 5.5283, -3.0807), (29.2766, -23.6027, 5.5242, -2.5514),
     (22.3459, -17.2473, -2.0834, 0.9783)),
    ("transition zone 600-670 km", 5701.0, 5771.0, (5.3197, -1.4836, 0.0, 0.0), (19.0957, -9.8672, 0.0, 0.0),
     (9.9839, -4.9324, 0.0, 0.0)),
    ("transition zone 400-600 km", 5771.0, 5971.0, (11.2494, -8.0298, 0.0, 0.0), (39.7027, -32.6166, 0.0, 0.0),
     (22.3512, -18.5856, 0.0, 0.0)),
    ("upper mantle 220-400 km", 5971.0, 6151.0, (7.1089, -3.8045, 0.0, 0.0), (20.3926, -12.2569, 0.0, 0.0),
     (8.9496, -4.4597, 0.0, 0.0)),
    ("low-velocity zone 80-220 km", 6151.0, 6291.0, (2.6910, 0.6924, 0.0, 0.0), (4.1875, 3.9382, 0.0, 0.0),
     (2.1519, 2.3481, 0.0, 0.0)),
    ("lid 24.4-80 km", 6291.0, 6346.6, (2.6910, 0.6924, 0.0, 0.0), (4.1875, 3.9382, 0.0, 0.0),
     (2.1519, 2.3481, 0.0, 0.0)),
    ("lower crust", 6346.6, 6356.0, (2.900, 0.0, 0.0, 0.0), (6.800, 0.0, 0.0, 0.0), (3.900, 0.0, 0.0, 0.0)),
    ("upper crust", 6356.0, 6368.0, (2.600, 0.0, 0.0, 0.0), (5.800, 0.0, 0.0, 0.0), (3.200, 0.0, 0.0, 0.0)),
    ("ocean", 6368.0, 6371.0, (1.020, 0.0, 0.0, 0.0), (1.450, 0.0, 0.0, 0.0), (0.0, 0.0, 0.0, 0.0)),
)
