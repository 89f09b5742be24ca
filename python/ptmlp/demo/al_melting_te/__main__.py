"""``python -m ptmlp.demo.al_melting_te CONFIG``: run (or resume) the campaign; see the package doc."""

from __future__ import annotations

import os

# GPAW's dense linear algebra goes through numpy's OpenBLAS, which starts one thread per core: on
# this shared 2-core machine that made a 4-atom label (150 eV, 2x2x2 k) cost 22.8 s CPU / 65 s wall
# instead of 4.1 s / 10 s. Labels run one thread each, dft.processes at once; set before numpy loads
# (an OPENBLAS_NUM_THREADS already in the environment is kept).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
from datetime import datetime  # noqa: E402
from pathlib import Path  # noqa: E402

from ...cli.common import add_config_argument, config_file, example_requested  # noqa: E402
from ...cli.main import run_command  # noqa: E402
from ...config import example_yaml, load_config  # noqa: E402
from ...errors import InputError  # noqa: E402
from .config import RecipeConfig  # noqa: E402
from .pipeline import STAGES, Context, Recipe, config_sha256, status_lines  # noqa: E402

PROG = "python -m ptmlp.demo.al_melting_te"


def example() -> str:
    return example_yaml(RecipeConfig, f"{PROG}: electronic entropy and the melting of Al (issue #25)")


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog=PROG, description=__doc__,
                                 epilog=f"`{PROG} --example` prints every key of the config with its default, unit "
                                        "and meaning; the package's README.md gives the command sequence and costs")
    add_config_argument(ap, example, "recipe YAML (inputs/al_te/al_te.yaml)")
    ap.add_argument("--workdir", help="work folder (overrides the config's workdir)")
    ap.add_argument("--until", choices=STAGES, help="stop after this stage")
    ap.add_argument("--only", nargs="+", choices=STAGES, metavar="STAGE", help="run only these stages")
    ap.add_argument("--redo", choices=STAGES, help="forget that this stage and every later one finished "
                                                   "(their files are kept and reused where still valid)")
    ap.add_argument("--status", action="store_true", help="print the stages' status and wall times, and exit")
    return ap


def run(args) -> int:
    """The command once parsed: load the config, then status, or run (or resume) the stages."""
    path = config_file(args)
    if not path:
        raise InputError(f"give the recipe's YAML, e.g. inputs/al_te/al_te_smoke.yaml ({PROG} --example prints "
                         "every key)")
    overrides = {} if args.workdir is None else {"workdir": str(Path(args.workdir).resolve())}
    cfg = load_config(RecipeConfig, path, overrides=overrides)
    if args.status:
        print("\n".join(status_lines(Path(cfg.workdir))))
        return 0
    log_file = Path(cfg.workdir) / "recipe.log"
    log_file.parent.mkdir(parents=True, exist_ok=True)

    def log(line: str) -> None:
        text = f"{datetime.now().strftime('%Y-%m-%d %H:%M:%S')} {line}"
        print(text, flush=True)
        with open(log_file, "a") as fh:
            fh.write(text + "\n")

    recipe = Recipe(Context(cfg, config_sha256(path), log))
    if args.redo:
        recipe.redo(args.redo)
    recipe.run(until=args.until, only=args.only)
    print("\n".join(status_lines(Path(cfg.workdir))))
    return 0


def main(argv=None) -> int:
    """Errors of the user (config, missing stage results) are one line and exit 2, as in ``ptmlp``."""
    args = parser().parse_args(argv)
    if example_requested(args):
        return 0
    return run_command(run, args, PROG, "interrupted (rerun the same command to resume)")


if __name__ == "__main__":
    raise SystemExit(main())
