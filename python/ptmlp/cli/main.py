"""``ptmlp <subcommand>``; user errors print one line and exit 2, never a traceback."""

from __future__ import annotations

import argparse
import sys

from ..errors import PtmlpError
from . import demo, info

SUBCOMMANDS = {"demo": demo, "info": info}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ptmlp", description="ML interatomic potentials for LAMMPS "
                                     "at planetary-interior conditions")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, module in SUBCOMMANDS.items():
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except PtmlpError as exc:
        print(f"ptmlp {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"ptmlp {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
