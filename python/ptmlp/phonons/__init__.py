"""Phonons with phonopy and any ASE calculator (ptmlp models, classical LAMMPS potentials, DFT).

- :func:`ptmlp.phonons.harmonic.compute_phonons`: finite displacements in a supercell at least
  twice the cutoff wide, at a given structure or relaxed to a pressure.
- :mod:`ptmlp.phonons.properties`: band structure on the standard path, DOS, thermal properties,
  imaginary modes reported as :class:`~ptmlp.phonons.properties.DynamicalInstabilityWarning`.
- :func:`ptmlp.phonons.qha.run_qha`: quasi-harmonic V(T), thermal expansion, C_p, K_T at pressure, each
  with the spread of the fit (:mod:`ptmlp.phonons.qha_fit`: C_p = C_v + alpha^2 V K_T T, grid checks).
- :class:`ptmlp.phonons.config.PhononsConfig`: the ``ptmlp phonons`` config (``--example`` prints it).
- :func:`ptmlp.phonons.compare.compare_phonons`: model vs reference, frequency RMSE, shared plot.
"""
