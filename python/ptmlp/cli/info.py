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
    """What the training frames covered (pressure, shortest pair distance, neighbours per atom);
    "not recorded" for models exported before these keys existed."""
    from ..metadata import KEY_MIN_PAIR_DISTANCE, KEY_NEIGHBOURS_RANGE, KEY_PRESSURE_RANGE

    def line(label: str, key: str, when_null: str, text) -> str:
        if key not in training:
            return f"  {label:13s} not recorded"
        value = training[key]
        return f"  {label:13s} {when_null if value is None else text(value)}"

    return ["training ranges",
            line("pressure", KEY_PRESSURE_RANGE, "no virials in the training data",
                 lambda p: f"{p[0]:.1f} .. {p[1]:.1f} GPa"),
            line("min distance", KEY_MIN_PAIR_DISTANCE, "no pair within r_cut", lambda d: f"{d:.3f} angstrom"),
            line("neighbours", KEY_NEIGHBOURS_RANGE, "no atoms", lambda n: f"{n[0]} .. {n[1]} per atom within r_cut")]
