"""Shared pieces of the workflow subcommands: the positional config file, ``--example`` and ``--check``."""

from __future__ import annotations

import argparse
from typing import Callable, Optional

from ..errors import InputError


def add_config_argument(parser, example: Callable[[], str], what: str = "YAML config", *, alias: bool = False) -> None:
    """Positional ``config``, ``--example`` (prints the complete commented YAML made by
    ``example()``, generated from the command's config model) and ``--check``. ``alias`` adds the
    old ``--config FILE`` spelling as a hidden alias of the positional argument (see :func:`config_file`)."""
    parser.add_argument("config", nargs="?", help=f"{what}; `--example` prints every key with its default, "
                                                  "unit and meaning")
    parser.add_argument("--example", action="store_true", dest="print_example",
                        help="print a complete commented example config and exit")
    add_check_argument(parser)
    if alias:
        parser.add_argument("--config", dest="config_alias", metavar="CONFIG", help=argparse.SUPPRESS)
    parser.set_defaults(example_text=example)


def add_check_argument(parser) -> None:
    """``--check``: :func:`ptmlp.config.load_config` stops after validating the config file."""
    parser.add_argument("--check", action="store_true", dest="check_config",
                        help="validate the config file (and the files it names) and exit without running")


def example_requested(args) -> bool:
    """Print the example config when ``--example`` was given; True if so."""
    if getattr(args, "print_example", False):
        print(args.example_text(), end="")
        return True
    return False


def config_file(args) -> Optional[str]:
    """The config file: the positional argument or the hidden ``--config`` alias (the same file
    given both ways is fine; two different files are refused); None when neither was given."""
    alias = getattr(args, "config_alias", None)
    if alias is not None:
        if args.config is not None and args.config != alias:
            raise InputError(f"two config files given ({args.config} and --config {alias}); give one")
        args.config = alias
    return getattr(args, "config", None)


def require_config(args, command: str) -> str:
    path = config_file(args)
    if not path:
        raise InputError(f"give a config file (ptmlp {command} --example prints a complete one)")
    return path
