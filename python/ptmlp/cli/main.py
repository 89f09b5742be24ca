"""``ptmlp <subcommand>``; user errors print one line and exit 2, never a traceback.

Every module in this package that defines ``add_parser(subparsers)`` is a subcommand; its
parser sets ``run=callable(args) -> int``. Heavy imports happen inside ``run``.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from pydantic import ValidationError

from ..errors import PtmlpError

_NOT_COMMANDS = {"main", "common"}


def subcommand_modules():
    from .. import cli

    for info in sorted(pkgutil.iter_modules(cli.__path__), key=lambda m: m.name):
        if info.name in _NOT_COMMANDS or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{cli.__name__}.{info.name}")
        if hasattr(module, "add_parser"):
            yield module


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ptmlp", description="ML interatomic potentials for LAMMPS "
                                     "at planetary-interior conditions")
    sub = parser.add_subparsers(dest="command", required=True)
    for module in subcommand_modules():
        module.add_parser(sub)
    return parser


def run_command(run, args, prog: str, interrupted: str = "interrupted") -> int:
    """``run(args)`` as a command line runs it: ``--check`` mode from ``args.check_config``; a
    user's mistake (PtmlpError, a pydantic ValidationError of a model built in code) is one line
    on stderr and exit 2; Ctrl-C is ``interrupted`` and exit 130. ``ptmlp`` and the recipes use it."""
    from ..config.load import ConfigChecked, check_only

    check_only(bool(getattr(args, "check_config", False)))
    try:
        return int(run(args) or 0)
    except ConfigChecked as ok:
        print(f"{prog}: {ok}")
        return 0
    except PtmlpError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 2
    except ValidationError as exc:  # a config model built in code rather than through ptmlp.config
        root = exc.title
        print(f"{prog}: error: {exc.errors(include_url=False)[0]['msg']} "
              f"({root}.{'.'.join(map(str, exc.errors()[0]['loc']))})", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{prog}: {interrupted}", file=sys.stderr)
        return 130
    finally:
        check_only(False)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return run_command(args.run, args, f"ptmlp {args.command}")


if __name__ == "__main__":
    raise SystemExit(main())
