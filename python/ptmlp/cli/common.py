"""Shared pieces of the workflow subcommands: the positional config file and ``--example``."""

from __future__ import annotations

from typing import Callable

from ..errors import InputError


def add_config_argument(parser, example: Callable[[], str], what: str = "YAML config") -> None:
    """Positional ``config`` and ``--example`` (prints the complete commented YAML made by
    ``example()``, generated from the command's config model)."""
    parser.add_argument("config", nargs="?", help=f"{what}; `--example` prints every key with its default, "
                                                  "unit and meaning")
    parser.add_argument("--example", action="store_true", dest="print_example",
                        help="print a complete commented example config and exit")
    parser.add_argument("--check", action="store_true", dest="check_config",
                        help="validate the config file (and the files it names) and exit without running")
    parser.set_defaults(example_text=example)


def example_requested(args) -> bool:
    """Print the example config when ``--example`` was given; True if so."""
    if getattr(args, "print_example", False):
        print(args.example_text(), end="")
        return True
    return False


def require_config(args, command: str) -> str:
    if not getattr(args, "config", None):
        raise InputError(f"give a config file (ptmlp {command} --example prints a complete one)")
    return args.config
