"""A workflow subcommand whose input is one validated YAML config: ``ptmlp <name> CONFIG [--outdir DIR]``,
``ptmlp <name> --example`` (the complete commented config, generated from the config model), and the
old ``--config CONFIG`` spelling kept as a hidden alias so existing scripts still work."""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path

from .common import add_config_argument, example_requested, require_config


def add_workflow_command(sub, name: str, *, help: str, description: str, model: str, run: str,
                         default_outdir: str) -> None:
    """Register ``ptmlp <name>``. ``model`` and ``run`` are ``"module:name"`` of the config model class
    and of ``run(config, outdir_or_None)`` (imported when the command runs, not when ``ptmlp`` starts)."""
    from ..config import example_yaml

    p = sub.add_parser(name, help=help, description=description,
                       epilog=f"`ptmlp {name} --example` prints every key of the config with its default, unit "
                              "and meaning", formatter_class=argparse.RawDescriptionHelpFormatter)
    add_config_argument(p, lambda: example_yaml(_load(model), f"ptmlp {name} config"), f"{name} YAML config",
                        alias=True)
    p.add_argument("--outdir", default=None, help=f"output folder (default: outdir in the config, else "
                                                  f"{default_outdir} next to the config file)")
    p.set_defaults(run=lambda args: _run(args, name, model, run))


def _load(target: str):
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)


def _run(args, name: str, model: str, run: str) -> int:
    from ..config import load_config

    if example_requested(args):
        return 0
    outdir = None if args.outdir is None else str(Path(args.outdir).resolve())  # relative to the current folder
    cfg = load_config(_load(model), require_config(args, name), overrides={"outdir": outdir})
    _load(run)(cfg, None)
    return 0
