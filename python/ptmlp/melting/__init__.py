"""Melting temperatures by solid-liquid coexistence (``ptmlp melt``, ``inputs/melt.in``).

- :mod:`.config` the YAML schema (``MeltConfig``, a :class:`ptmlp.config.StrictModel`), units in
  every key name; ``structure:`` and ``potential:`` are the shared StructureSpec / PotentialSpec
- :mod:`.structure` crystallinity check, neighbour shells, interface cell
- :mod:`.runner` restartable LAMMPS runs of ``inputs/melt.in`` and their output parsers
- :mod:`.classify` order-parameter threshold calibrated from pure-solid / pure-liquid runs
- :mod:`.analysis` trends and means of correlated time series on the one uncertainty model
  (:mod:`ptmlp.uncertainty`: block averaging with the measured statistical inefficiency, seeds
  combined by scatter x Student-t; summary keys ``T_melt_K``, ``T_melt_err_K`` (total),
  ``T_melt_stat_err_K``, ``T_melt_sys_err_K`` (null: not estimated), ``T_melt_error_model``)
- :mod:`.bracket` NPT bracket + bisection; :mod:`.nph` NPH coexistence with acceptance tied to each
  run's own errors (``settle:``: extended, then restarted, when its T or solid fraction drifts)
- :mod:`.curve` Simon-Glatzel fit with a confidence band
- :mod:`.outputs`, :mod:`.plots`, :mod:`.units` HDF5 time series, PNG plots (``units: lj``: reduced
  units), summary.json through :func:`ptmlp.jsonfile.write_json`
- :mod:`.workflow` :func:`run_melt`, everything together
"""

from .config import MeltConfig, from_mapping, from_yaml  # noqa: F401


def run_melt(cfg, pressure_indices=None, log=print):
    """See :func:`ptmlp.melting.workflow.run_melt`."""
    from .workflow import run_melt as _run

    return _run(cfg, pressure_indices=pressure_indices, log=log)
