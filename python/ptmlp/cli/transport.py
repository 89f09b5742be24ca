"""``ptmlp transport kappa|viscosity|diffusion|conductivity|run``: transport coefficients from
LAMMPS outputs of the ``inputs/`` templates (Green-Kubo, cepstral, NEMD, MSD), with errors, and
independent runs of those templates.

Each analysis writes ``summary.json`` (units in the keys), an HDF5 file and PNG plots to ``out``.
Options come from a YAML config (``--example`` prints every key) and from flags, generated from
the same config models (:mod:`ptmlp.transport.config`); flags override the file.
"""

from __future__ import annotations

import argparse
import os
import types
import typing
from typing import Any

HELPS = {"kappa": "thermal conductivity (Green-Kubo heat flux, or NEMD profiles with 1/L extrapolation)",
         "viscosity": "shear viscosity (Green-Kubo/Einstein-Helfand, or Muller-Plathe with zero-shear extrapolation)",
         "diffusion": "self-diffusion per species from MSDs (Yeh-Hummer corrected with a viscosity)",
         "conductivity": "ionic conductivity (Green-Kubo charge current, Nernst-Einstein) from formal charges",
         "run": "run an inputs/ template (independent seeds) for the potential and structure of a YAML config"}
_NESTED = ("potential", "structure", "variables", "lj")  # set in the config file only


def add_parser(sub) -> None:
    p = sub.add_parser("transport", help="thermal conductivity, viscosity, diffusion, ionic conductivity "
                       "from LAMMPS outputs (Green-Kubo, cepstral, NEMD, MSD); runs of the transport templates")
    add_quantities(p.add_subparsers(dest="quantity", required=True), "transport")


def add_quantities(kinds, command: str, names=None) -> None:
    """The per-quantity subcommands of ``ptmlp <command>`` (also used by ``ptmlp analyze``)."""
    from ..transport.config import MODELS
    from .common import add_config_argument

    for name, model in MODELS.items():
        if names is not None and name not in names:
            continue
        q = kinds.add_parser(name, help=HELPS[name], description=HELPS[name] + ". Every flag is also a key of "
                             "the YAML config (flags override the file); --example prints every key with its "
                             "default, unit and meaning.")
        if name == "run":
            add_config_argument(q, _example(name, command), "YAML config (template, potential, structure, ...)")
        else:
            q.add_argument("inputs", nargs="*", help="files or run folders (or 'inputs' in the config); a .yaml/"
                                                     ".yml argument is the config file")
            q.add_argument("--example", action="store_true", dest="print_example",
                           help="print a complete commented example config and exit")
            q.set_defaults(example_text=_example(name, command))
        q.add_argument("--config", dest="config_flag", help=argparse.SUPPRESS)  # old spelling of the config file
        for key, info in model.model_fields.items():
            if key not in ("inputs",) + _NESTED:
                _add_flag(q, key, info)
        q.set_defaults(run=run, prefix=f"ptmlp {command} {name}")


def _example(name: str, command: str):
    def text() -> str:
        from ..config import example_yaml
        from ..transport.config import MODELS

        return example_yaml(MODELS[name], f"ptmlp {command} {name} CONFIG.yaml")
    return text


# ------------------------------------------------------------------ flags from the model fields
def _plain(annotation) -> Any:
    """``annotation`` without Optional and Annotated."""
    if typing.get_origin(annotation) is typing.Annotated:
        return _plain(typing.get_args(annotation)[0])
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and len(args) == 1:
        return _plain(args[0])
    return annotation


def _is_path(info) -> bool:
    """A path key (``InputFile``, ``InputPath``, ``OutputPath``, optional or in a list)."""
    from ..config.types import InputFile, InputPath, OutputPath

    marks = [m for t in (InputFile, InputPath, OutputPath) for m in typing.get_args(t)[1:]]

    def mentions(ann) -> bool:
        if typing.get_origin(ann) is typing.Annotated:
            return any(m in marks for m in typing.get_args(ann)[1:])
        return any(mentions(a) for a in typing.get_args(ann))
    return any(m in marks for m in info.metadata) or mentions(info.annotation)


def _is_text(annotation) -> bool:
    """Strings only (str, paths, literals of strings): the flag's text is the value."""
    ann = _plain(annotation)
    if typing.get_origin(ann) is typing.Literal:
        return all(isinstance(v, str) for v in typing.get_args(ann))
    return ann is str


def _scalar(text: str) -> Any:
    """A flag value read as a YAML scalar (``2`` an integer, ``2.5`` and ``1e-3`` numbers, other text
    a string); the config model then checks it like a value from the file."""
    from ..config.errors import ConfigError
    from ..config.yaml_io import parse_yaml

    try:
        value = parse_yaml(text, "command line")
    except ConfigError:
        return text
    return value if isinstance(value, (int, float, str)) else text


def _add_flag(parser, key: str, info) -> None:
    ann = _plain(info.annotation)
    origin = typing.get_origin(ann)
    flag = "--" + key.replace("_", "-")
    extra = "" if info.is_required() or info.default is None else f" (default {info.default})"
    help_text = (info.description or "") + extra
    if ann is bool:
        parser.add_argument(flag, dest=key, action=argparse.BooleanOptionalAction, default=None, help=help_text)
        return
    kwargs: dict[str, Any] = {"dest": key, "default": None, "help": help_text.replace("%", "%%")}
    if origin is typing.Literal:
        kwargs["metavar"] = "{" + ",".join(map(str, typing.get_args(ann))) + "}"
    if origin is list:
        kwargs["nargs"] = "+"
    elif origin is dict:
        kwargs["nargs"] = "+"
        kwargs["metavar"] = "KEY=VALUE"
    kwargs["type"] = (lambda t: t) if _is_text(ann) else _scalar
    parser.add_argument(flag, **kwargs)
    parser.set_defaults(**{f"_kind_{key}": "path" if _is_path(info) else "dict" if origin is dict
                           else "value"})


def _pairs(items: list) -> dict:
    """``KEY=VALUE`` items (comma-separated lists too) as a mapping; a malformed item stays a
    string key so that the model's one-line error names it."""
    out: dict[str, Any] = {}
    for item in items:
        for part in str(item).split(","):
            if part.strip():
                k, sep, v = part.partition("=")
                out[k.strip()] = _scalar(v.strip()) if sep else part.strip()
    return out


def flag_values(args, model) -> dict:
    """The flags the user gave, as config values (paths absolute against the current folder)."""
    out = {}
    for key in model.model_fields:
        value = getattr(args, key, None) if key != "inputs" else None
        if value is None:
            continue
        kind = getattr(args, f"_kind_{key}", "value")
        if kind == "path":
            value = [os.path.abspath(v) for v in value] if isinstance(value, list) else os.path.abspath(value)
        elif kind == "dict":
            value = _pairs(value)
        out[key] = value
    return out


# ------------------------------------------------------------------ run
def _split_config(args) -> tuple:
    """(config file or None, positional inputs)."""
    from ..errors import InputError

    if args.quantity == "run":
        config = args.config or args.config_flag
        if not config:
            raise InputError(f"give a config file ({args.prefix} --example prints a complete one)")
        return config, []
    yamls = [a for a in args.inputs if a.endswith((".yaml", ".yml"))] + ([args.config_flag] if args.config_flag else [])
    if len(yamls) > 1:
        raise InputError(f"give one config file, not {len(yamls)} ({', '.join(yamls)})")
    config = yamls[0] if yamls else None
    return config, [os.path.abspath(a) for a in args.inputs if a not in yamls]


def options(args):
    """The validated config model of the parsed command line (file overlaid with the flags)."""
    from ..transport.config import MODELS, load_options

    config, inputs = _split_config(args)
    flags = flag_values(args, MODELS[args.quantity])
    if inputs:
        flags["inputs"] = inputs
    return load_options(args.quantity, config, flags)


def run(args) -> int:
    from ..transport.reports import REPORTS, headline, out_dir
    from .common import example_requested

    if example_requested(args):
        return 0
    command = args.quantity
    opts = options(args)
    if command == "run":
        print(f"{args.prefix}: {opts.n_runs} run(s) of {opts.template} in {opts.workdir}", flush=True)
        summary = REPORTS[command](opts, report=lambda line: print(line, flush=True))
    else:
        summary = REPORTS[command](opts)
    if command == "run":
        print(f"{args.prefix}: {summary['method']} done in {opts.workdir} (summary.json; runs "
              f"{', '.join(os.path.basename(r['folder']) for r in summary['runs'])})")
    else:
        print(f"{args.prefix}: {summary.get('method', '')} -> {out_dir(command, opts)}/summary.json")
    for line in headline(summary):
        print("  " + line)
    for w in summary.get("warnings", []):
        print(f"  warning: {w}")
    return 0
