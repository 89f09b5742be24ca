"""``ptmlp al run config.yaml`` / ``ptmlp al status workdir``: the active-learning loop."""

from __future__ import annotations

from pathlib import Path

from .common import add_config_argument, example_requested, require_config


def example() -> str:
    from ..al.config import ALConfig
    from ..config import example_yaml

    return example_yaml(ALConfig, "ptmlp al run config.yaml")


def add_parser(sub) -> None:
    p = sub.add_parser("al", help="active learning: train ensemble, explore, select, label, retrain")
    asub = p.add_subparsers(dest="al_command", required=True)
    r = asub.add_parser("run", help="run or resume the loop (rerun the same command after any interruption; "
                                    "`ptmlp al run --example` prints every key)")
    add_config_argument(r, example, "YAML: workdir, model, training, explore, select, labeler, ...")
    r.set_defaults(run=run)
    s = asub.add_parser("status", help="per-iteration table and status.png")
    s.add_argument("workdir")
    s.set_defaults(run=status)


def run(args) -> int:
    if example_requested(args):
        return 0
    from ..al.config import ALConfig
    from ..al.loop import ActiveLearning
    from ..al.report import status_plot, status_table
    from ..config import load_config

    config = load_config(ALConfig, require_config(args, "al run"))
    state = ActiveLearning(config, log=lambda s: print(s, flush=True)).run()
    print(status_table(state))
    print(f"plot: {status_plot(state, Path(config.workdir) / 'status.png')}")
    return 0


def status(args) -> int:
    from ..al.report import load_state, status_plot, status_table

    state = load_state(args.workdir)
    print(status_table(state))
    print(f"plot: {status_plot(state, Path(args.workdir) / 'status.png')}")
    return 0
