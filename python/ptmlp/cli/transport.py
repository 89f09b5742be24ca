"""``ptmlp transport kappa|viscosity|diffusion|conductivity``: transport coefficients from
LAMMPS outputs of the ``inputs/`` templates (Green-Kubo, cepstral, NEMD, MSD), with errors.

Each writes ``summary.json`` (units in the keys), an HDF5 file and PNG plots to ``--out``.
Options come from flags or a ``--config`` YAML with the same keys (unknown keys refused).
"""

from __future__ import annotations

import argparse


def add_parser(sub) -> None:
    p = sub.add_parser("transport", help="thermal conductivity, viscosity, diffusion, ionic conductivity "
                       "from LAMMPS outputs (Green-Kubo, cepstral, NEMD, MSD)")
    add_quantities(p.add_subparsers(dest="quantity", required=True))


def add_quantities(kinds, names=None) -> None:
    """The per-quantity subcommands (also used by ``ptmlp analyze``)."""
    from ..transport.config import SCHEMAS

    helps = {"kappa": "thermal conductivity (Green-Kubo heat flux, or NEMD profiles with 1/L extrapolation)",
             "viscosity": "shear viscosity (Green-Kubo/Einstein-Helfand, or Muller-Plathe with zero-shear extrapolation)",
             "diffusion": "self-diffusion per species from MSDs (Yeh-Hummer corrected with a viscosity)",
             "conductivity": "ionic conductivity (Green-Kubo charge current, Nernst-Einstein) from formal charges",
             "run": "run an inputs/ template (independent seeds) for a potential and structure given in --config"}
    for name, schema in SCHEMAS.items():
        if names is not None and name not in names:
            continue
        q = kinds.add_parser(name, help=helps[name], description=helps[name])
        if name != "run":
            q.add_argument("inputs", nargs="*", default=None, help="files or run folders (or 'inputs' in --config)")
        q.add_argument("--config", help="YAML file with the options below (keys as written, with _)")
        for opt in schema:
            if opt.name == "inputs" or opt.kind.__name__ in ("_mapping",):
                continue
            flag = "--" + opt.name.replace("_", "-")
            if opt.kind is bool:
                q.add_argument(flag, dest=opt.name, action=argparse.BooleanOptionalAction, default=None, help=opt.help)
            else:
                q.add_argument(flag, dest=opt.name, default=None, choices=opt.choices,
                               help=opt.help + (f" (default {opt.default})" if opt.default is not None else ""))
        q.set_defaults(run=run)


def run(args) -> int:
    from ..transport.config import SCHEMAS, load_config, merged, validate
    from ..transport.reports import REPORTS, headline

    command = args.quantity
    cfg = load_config(args.config, command) if args.config else {}
    cli = {o.name: getattr(args, o.name, None) for o in SCHEMAS[command]}
    if "inputs" in cli:
        cli["inputs"] = getattr(args, "inputs", None) or None
    cli = validate({k: v for k, v in cli.items() if v is not None}, command, "command line")
    opts = merged(command, cfg, cli)
    summary = REPORTS[command](opts)
    if command == "run":
        print(f"ptmlp transport run: {summary['method']} in {', '.join(summary['runs'])}")
        return 0
    out = opts.get("out") or f"transport_{command}"
    print(f"ptmlp transport {command}: {summary.get('method', '')} -> {out}/summary.json")
    for line in headline(summary):
        print("  " + line)
    for w in summary.get("warnings", []):
        print(f"  warning: {w}")
    return 0
