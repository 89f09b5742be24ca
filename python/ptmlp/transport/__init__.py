"""Transport coefficients from LAMMPS runs, with error bars.

Runs: the templates in ``inputs/`` (``gk_kappa.in``, ``gk_viscosity.in``, ``msd.in``,
``nemd_kappa.in``, ``nemd_viscosity.in``) take the interaction from an include file, so
``pair_style ptmlp``, EAM, Lennard-Jones, ... all work; :mod:`.drivers` writes that file (from
the one :class:`~ptmlp.potential.PotentialSpec`) and the data file and runs independent seeds;
:mod:`.templates` knows the variables each template declares.

Analyses (SI inside; results carry their unit in every key and one standard error):

===========================  ==============================================================
thermal conductivity         :func:`.kappa_gk.kappa_green_kubo` (Green-Kubo + cepstral,
                             mass-flux decorrelation for mixtures), :func:`.kappa_nemd.kappa_nemd`
                             (Muller-Plathe / eHEX profiles), :func:`.extrapolation.extrapolate_inverse_length`
shear viscosity              :func:`.viscosity_gk.viscosity_green_kubo` (5 traceless components,
                             Green-Kubo, cepstral, Einstein-Helfand), :func:`.viscosity_nemd.viscosity_zero_shear`
self-diffusion               :func:`.diffusion.self_diffusion` (FFT MSD per species, automatic
                             diffusive window, Yeh-Hummer)
ionic conductivity           :func:`.conductivity.conductivity_green_kubo`, :func:`.conductivity.nernst_einstein`
===========================  ==============================================================

Command line: ``ptmlp transport kappa|viscosity|diffusion|conductivity|run`` (:mod:`.reports`; one
config model per subcommand in :mod:`.config`, ``--example`` prints it; shipped run configs in
``inputs/transport/``).
"""

from .results import Measurement, TransportWarning

__all__ = ["Measurement", "TransportWarning"]
