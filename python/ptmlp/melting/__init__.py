"""Melting temperatures by solid-liquid coexistence (``ptmlp melt``, ``inputs/melt.in``).

- :mod:`.config` the YAML schema (``MeltConfig``), units in every key name
- :mod:`.structure` crystal loading, crystallinity check, neighbour shells, interface cell
- :mod:`.potential` the interaction as a LAMMPS include file (ptmlp model or any pair style)
- :mod:`.runner` restartable LAMMPS runs of ``inputs/melt.in`` and their output parsers
- :mod:`.classify` order-parameter threshold calibrated from pure-solid / pure-liquid runs
- :mod:`.analysis` trends and means of correlated time series
- :mod:`.bracket` NPT bracket + bisection; :mod:`.nph` NPH coexistence
- :mod:`.curve` Simon-Glatzel fit with a confidence band
- :mod:`.outputs`, :mod:`.plots` summary.json, HDF5 time series, PNG plots
- :mod:`.workflow` :func:`run_melt`, everything together
"""

from .config import MeltConfig, from_mapping, from_yaml  # noqa: F401


def run_melt(cfg, pressure_indices=None, log=print):
    """See :func:`ptmlp.melting.workflow.run_melt`."""
    from .workflow import run_melt as _run

    return _run(cfg, pressure_indices=pressure_indices, log=log)
