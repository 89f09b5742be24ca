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


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from ..config.load import ConfigChecked, check_only

    check_only(bool(getattr(args, "check_config", False)))
    try:
        return int(args.run(args) or 0)
    except ConfigChecked as ok:
        print(f"ptmlp {args.command}: {ok}")
        return 0
    except PtmlpError as exc:
        print(f"ptmlp {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except ValidationError as exc:  # a config model built in code rather than through ptmlp.config
        root = exc.title
        print(f"ptmlp {args.command}: error: {exc.errors(include_url=False)[0]['msg']} "
              f"({root}.{'.'.join(map(str, exc.errors()[0]['loc']))})", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"ptmlp {args.command}: interrupted", file=sys.stderr)
        return 130
    finally:
        check_only(False)


if __name__ == "__main__":
    raise SystemExit(main())
