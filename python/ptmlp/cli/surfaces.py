"""``ptmlp surfaces <command> CONFIG``: surface energy and work function of slabs from their structure
with a surface-emphasised multi-task crystal graph network; its experiments, one command each.
Every command takes its YAML config as a positional argument; ``--example`` prints every key."""

from __future__ import annotations

from .common import add_config_argument, example_requested, require_config

# command -> (config class path, runner path, help)
COMMANDS = {
    "train": ("config:TrainConfig", "workflow:run_train", "train a model (or a seed ensemble) on a dataset"),
    "test": ("config:TestConfig", "workflow:run_test", "errors (MAE, R^2) and calibration of models on a dataset"),
    "predict": ("config:PredictConfig", "predict:run_predict",
                "predict slabs, or the low-index facets of bulk crystals with Wulff-shape averages"),
    "ablation": ("experiments.config:AblationConfig", "experiments.ablation:run_ablation",
                 "single-task, multi-task, +GradNorm, +surface embedding, full method over seeds"),
    "cv": ("experiments.config:CrossValidationConfig", "experiments.crossval:run_crossval",
           "k-fold cross-validation of one method"),
    "depth-scan": ("experiments.config:DepthScanConfig", "experiments.depth_scan:run_depth_scan",
                   "test error against the surface-depth threshold"),
    "transfer": ("experiments.config:TransferConfig", "experiments.transfer:run_transfer",
                 "fine-tuning a pre-trained model vs training from scratch at several training fractions"),
    "wulff": ("experiments.config:WulffConfig", "experiments.wulff_loco:run_wulff",
              "Wulff-weighted surface energy and work function, predicted (compound held out) vs DFT"),
    "embeddings": ("experiments.config:EmbeddingsConfig", "experiments.embeddings:run_embeddings",
                   "Pearson correlations of a model's element embeddings, ordered by Mendeleev number"),
}


def _load(path: str):
    import importlib

    module, name = path.split(":")
    return getattr(importlib.import_module(f"ptmlp.surfaces.{module}"), name)


def _example(command: str):
    def text() -> str:
        from ..config import example_yaml

        return example_yaml(_load(COMMANDS[command][0]), f"ptmlp surfaces {command}")

    return text


def add_parser(sub) -> None:
    p = sub.add_parser("surfaces", help="surface energy and work function from slab structures (multi-task "
                                        "crystal graph network) and its experiments", description=__doc__)
    s = p.add_subparsers(dest="surfaces_command", required=True)
    for command, (_, _, help_text) in COMMANDS.items():
        c = s.add_parser(command, help=help_text, description=help_text)
        add_config_argument(c, _example(command))
        if command == "train":
            c.add_argument("--resume", action="store_true", help="continue from the checkpoints in output_dir")
        c.set_defaults(run=run, surfaces_run=command)


def run(args) -> int:
    if example_requested(args):
        return 0
    command = args.surfaces_run
    path = require_config(args, f"surfaces {command}")
    from ..config import load_config

    cfg = load_config(_load(COMMANDS[command][0]), path)
    runner = _load(COMMANDS[command][1])
    kwargs = {"resume": True} if getattr(args, "resume", False) else {}
    runner(cfg, log=lambda s: print(s, flush=True), **kwargs)
    return 0
