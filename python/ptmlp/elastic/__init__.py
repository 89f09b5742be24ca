"""Elastic constants at (P, T) and seismic properties.

- :func:`ptmlp.elastic.static.elastic_static`: C_ij at 0 K by finite strains with relaxed ions
  (any ASE calculator), at a target pressure.
- :func:`ptmlp.elastic.md.elastic_md`: C_ij at (T, P) from MD in LAMMPS (``inputs/elastic.in``,
  strain-stress with averaging, errors from blocks and independent seeds).
- :class:`ptmlp.elastic.result.ElasticResult`: symmetry projection, Born stability, Voigt-Reuss-Hill
  moduli, V_P/V_S/V_Phi, Christoffel velocities and anisotropy, comparison with PREM.
- :mod:`ptmlp.elastic.prem`: PREM (Dziewonski & Anderson 1981) at a depth or pressure.
- :class:`ptmlp.elastic.config.ElasticConfig`: the ``ptmlp elastic`` config (``--example`` prints it).
"""
