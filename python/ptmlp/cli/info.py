"""``ptmlp info model.pt``: print a model file's metadata after validating it."""

from __future__ import annotations


def add_parser(sub) -> None:
    p = sub.add_parser("info", help="validate a model file and print its metadata")
    p.add_argument("model", help="ptmlp model file (.pt)")
    p.add_argument("--json", action="store_true", help="print the full metadata as JSON")
    p.set_defaults(run=run)


def run(args) -> int:
    from ..export import load_model
    from ..jsonfile import dumps

    module, meta = load_model(args.model)
    if args.json:
        print(dumps(meta))
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
    training = meta.get("training") or {}
    val = training.get("validation")
    if val:
        print(f"validation      E {_number(val.get('energy_rmse_meV_per_atom'), '.2f')} meV/atom, "
              f"F {_number(val.get('force_rmse_meV_per_A'), '.1f')} meV/A, "
              f"W {_number(val.get('virial_rmse_meV_per_atom'), '.2f')} meV/atom")
    for line in training_range_lines(training):
        print(line)
    return 0


def _number(value, fmt: str) -> str:
    return "n/a" if value is None else format(value, fmt)


def training_range_lines(training: dict) -> list[str]:
    """What the training frames covered (pressure, shortest pair distance, neighbours per atom)."""
    def shown(key: str, text) -> str:
        return text() if key in training else "not recorded"

    p = training.get("pressure_range_GPa")
    n = training.get("neighbours_per_atom_range")
    d = training.get("min_pair_distance_A")
    return [
        "training ranges",
        "  pressure      " + shown("pressure_range_GPa", lambda: "no virials in the training data" if p is None
                                   else f"{p[0]:.1f} .. {p[1]:.1f} GPa"),
        "  min distance  " + shown("min_pair_distance_A", lambda: "no pair within r_cut" if d is None
                                   else f"{d:.3f} angstrom"),
        "  neighbours    " + shown("neighbours_per_atom_range", lambda: f"{n[0]} .. {n[1]} per atom within r_cut"),
    ]
