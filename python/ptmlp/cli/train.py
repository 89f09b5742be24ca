"""``ptmlp train config.yaml``: train a model (or an ensemble) on an HDF5 dataset."""

from __future__ import annotations

from .common import add_config_argument, example_requested, require_config


def example() -> str:
    from ..config import example_yaml
    from ..training.config import RunConfig

    return example_yaml(RunConfig, "ptmlp train config.yaml")


def add_parser(sub) -> None:
    p = sub.add_parser("train", help="train model(s) from a YAML config (`ptmlp train --example` prints every key)")
    add_config_argument(p, example, "YAML: dataset, output_dir, model, training, ensemble, ...")
    p.add_argument("--resume", action="store_true", help="continue from the checkpoints in output_dir")
    p.add_argument("--ensemble", type=int, default=None, help="train N members (overrides the config)")
    p.set_defaults(run=run)


def run(args) -> int:
    if example_requested(args):
        return 0
    from ..config import load_config
    from ..training.config import RunConfig
    from ..training.run import train_from_config

    config = load_config(RunConfig, require_config(args, "train"), overrides={"ensemble": args.ensemble})
    summary = train_from_config(config, resume=args.resume, log=lambda s: print(s, flush=True))
    for m in summary["members"]:
        b = m["best_validation"]
        print(f"{m['model']}: validation E {b.get('energy_rmse_meV_per_atom', float('nan')):.2f} meV/atom, "
              f"F {b.get('force_rmse_meV_per_A', float('nan')):.1f} meV/A ({m['stopped']}; "
              f"{m['frames_per_s']:.1f} frames/s)")
    return 0
