"""``ptmlp bandgap <stage> config.yaml``: explainable band-gap learning by cationic perturbation of
AB2O4 oxides (issue #24). Stages, in order: correct (PBE -> experiment), seeds (AB2O4 oxides), perturb
(cationic perturbation), proxy (attention model labels), explain (random forests + SHAP + case
studies), curves (learning curves on held-out real compounds); ``run`` does them all. Each stage reads
what the earlier ones wrote into the config's outdir."""

from __future__ import annotations

from .common import add_config_argument, example_requested, require_config

_HELP = {"correct": "PBE -> experiment correction (hierarchical LightGBM), applied to the whole PBE set",
         "seeds": "the AB2O4 oxide seed set with corrected gaps",
         "perturb": "cationic perturbation of the seeds (counts at every filter)",
         "proxy": "attention-based proxy model: K-fold CV vs baselines, ensemble labels of the perturbed set",
         "explain": "random-forest classifier/regressor on per-site features, SHAP plots, case studies",
         "curves": "learning curves and SHAP ranking stability on held-out real compounds",
         "run": "every stage in order"}


def _example() -> str:
    from ..bandgap.config import BandgapConfig
    from ..config import example_yaml

    return example_yaml(BandgapConfig, "ptmlp bandgap <stage> config.yaml")


def add_parser(sub) -> None:
    p = sub.add_parser("bandgap", help="explainable band-gap learning by cationic perturbation (AB2O4 oxides)",
                       description=__doc__)
    stages = p.add_subparsers(dest="stage", required=True)
    for name, text in _HELP.items():
        sp = stages.add_parser(name, help=text, description=text)
        add_config_argument(sp, _example, "bandgap YAML config")
        sp.add_argument("--outdir", default=None, help="output folder (overrides outdir of the config)")
        sp.set_defaults(run=run)


def run(args) -> int:
    if example_requested(args):
        return 0
    from pathlib import Path

    from ..bandgap.config import BandgapConfig
    from ..bandgap.workflow import STAGES, run_stages
    from ..config import load_config

    outdir = None if args.outdir is None else str(Path(args.outdir).resolve())  # relative to the current folder
    cfg = load_config(BandgapConfig, require_config(args, f"bandgap {args.stage}"), overrides={"outdir": outdir})
    stages = STAGES if args.stage == "run" else [args.stage]
    for stage, summary in run_stages(cfg, stages).items():
        print(f"bandgap {stage}: done in {summary['wall_s']} s -> {Path(cfg.outdir) / stage}")
    print(f"report: {Path(cfg.outdir) / 'report.md'}")
    return 0
