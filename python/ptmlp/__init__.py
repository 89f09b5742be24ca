"""ptmlp: machine-learning interatomic potentials for LAMMPS at planetary-interior conditions.

Importing the package is cheap (no torch); the heavy modules are imported where used:

- :mod:`ptmlp.models` model architectures and their typed configs
- :mod:`ptmlp.export` writing/reading TorchScript model files with ``metadata.json``
- :mod:`ptmlp.calculator` the ASE calculator on the same model file LAMMPS loads
- :mod:`ptmlp.lammps_plugin` where the LAMMPS plugin lives (``lammps.plugins`` entry point)
"""

__version__ = "0.1.0"
