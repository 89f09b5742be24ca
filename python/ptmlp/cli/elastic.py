"""``ptmlp elastic --config elastic.yaml``: elastic constants at (P, T) (0 K finite strains, or MD
through inputs/elastic.in), symmetry reduction, Born stability, VRH moduli, seismic velocities vs PREM."""

from __future__ import annotations

from pathlib import Path


def add_parser(sub) -> None:
    p = sub.add_parser("elastic", help="elastic constants at (P, T), Born stability, V_P/V_S vs PREM",
                       description=__doc__)
    p.add_argument("--config", required=True, help="YAML config (see ptmlp.elastic.workflow for the keys)")
    p.add_argument("--outdir", default=None, help="output folder (default: outdir in the config, else elastic_out)")
    p.set_defaults(run=run)


def run(args) -> int:
    from ..elastic.config import load_yaml
    from ..elastic.workflow import run_elastic

    cfg_path = Path(args.config)
    run_elastic(load_yaml(cfg_path), cfg_path.resolve().parent, None if args.outdir is None else Path(args.outdir))
    return 0
