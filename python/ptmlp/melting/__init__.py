"""Melting temperatures by solid-liquid coexistence (``ptmlp melt``, ``inputs/melt.in``).

- :mod:`.config` the YAML schema (``MeltConfig``, a :class:`ptmlp.config.StrictModel`), units in
  every key name; ``structure:`` and ``potential:`` are the shared StructureSpec / PotentialSpec
- :mod:`.structure` crystallinity check, neighbour shells, interface cell
- :mod:`.runner` restartable LAMMPS runs of ``inputs/melt.in`` and their output parsers
- :mod:`.classify` order-parameter threshold calibrated from pure-solid / pure-liquid runs
- :mod:`.analysis` trends and means of correlated time series
- :mod:`.bracket` NPT bracket + bisection; :mod:`.nph` NPH coexistence
- :mod:`.curve` Simon-Glatzel fit with a confidence band
- :mod:`.outputs`, :mod:`.plots` HDF5 time series, PNG plots (summary.json: :func:`ptmlp.jsonfile.write_json`)
- :mod:`.workflow` :func:`run_melt`, everything together
"""

from .config import MeltConfig, from_mapping, from_yaml  # noqa: F401


def run_melt(cfg, pressure_indices=None, log=print):
    """See :func:`ptmlp.melting.workflow.run_melt`."""
    from .workflow import run_melt as _run

    return _run(cfg, pressure_indices=pressure_indices, log=log)
