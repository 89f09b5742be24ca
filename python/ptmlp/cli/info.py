"""``ptmlp info model.pt``: print a model file's metadata after validating it."""

from __future__ import annotations

import json


def add_parser(sub) -> None:
    p = sub.add_parser("info", help="validate a model file and print its metadata")
    p.add_argument("model", help="ptmlp model file (.pt)")
    p.add_argument("--json", action="store_true", help="print the full metadata as JSON")
    p.set_defaults(run=run)


def run(args) -> int:
    from ..export import load_model

    module, meta = load_model(args.model)
    if args.json:
        print(json.dumps(meta, indent=1))
        return 0
    n_params = sum(p.numel() for p in module.parameters())
    te = meta["electronic_temperature"]
    print(f"model file      {args.model}")
    print(f"format_version  {meta['format_version']}")
    print(f"species         {' '.join(meta['type_names'])}")
    print(f"r_cut           {meta['r_cut']} angstrom")
    print(f"dtype           {meta['dtype']}")
    print(f"T_e input       {'none' if te is None else te}")
    print(f"architecture    {meta['architecture'].get('name', '?')}, {n_params} parameters")
    val = meta.get("training", {}).get("validation")
    if val:
        print(f"validation      E {val.get('energy_rmse_meV_per_atom', float('nan')):.2f} meV/atom, "
              f"F {val.get('force_rmse_meV_per_A', float('nan')):.1f} meV/A")
    return 0
