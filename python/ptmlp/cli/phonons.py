"""``ptmlp phonons --config phonons.yaml``: phonons (bands, DOS, thermal, QHA) of a crystal with a
ptmlp model or a classical potential; optionally against a reference potential on one plot."""

from __future__ import annotations

from pathlib import Path


def add_parser(sub) -> None:
    p = sub.add_parser("phonons", help="phonon bands/DOS/thermal properties/QHA (phonopy), model vs reference",
                       description=__doc__)
    p.add_argument("--config", required=True, help="YAML config (see ptmlp.phonons.workflow for the keys)")
    p.add_argument("--outdir", default=None, help="output folder (default: outdir in the config, else phonons_out)")
    p.set_defaults(run=run)


def run(args) -> int:
    from ..elastic.config import load_yaml
    from ..phonons.workflow import run_phonons

    cfg_path = Path(args.config)
    run_phonons(load_yaml(cfg_path), cfg_path.resolve().parent, None if args.outdir is None else Path(args.outdir))
    return 0
