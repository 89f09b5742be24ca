"""``ptmlp test model.pt data.h5``: errors per species and P-T bin, parity plots, JSON summary."""

from __future__ import annotations

import os


def add_parser(sub) -> None:
    p = sub.add_parser("test", help="validate a model on a dataset (MAE/RMSE, parity plots)")
    p.add_argument("model")
    p.add_argument("dataset")
    p.add_argument("--split", default=None, help="split JSON; with --subset, test only those frames")
    p.add_argument("--subset", default="test", choices=["train", "validation", "test"])
    p.add_argument("-o", "--output-dir", default="model_test", help="folder for test_summary.json and PNGs")
    p.set_defaults(run=run)


def run(args) -> int:
    from ..data.splits import load_split
    from ..data.store import Dataset
    from ..evaluation.metrics import error_metrics, predict
    from ..evaluation.plots import parity_plots
    from ..jsonfile import write_json

    ds = Dataset(args.dataset)
    indices = load_split(args.split)[args.subset] if args.split else None
    frames = ds.read(indices)
    preds = predict(args.model, frames)
    metrics = error_metrics(preds)
    os.makedirs(args.output_dir, exist_ok=True)
    pngs = parity_plots(preds, args.output_dir, title=os.path.basename(args.model))
    metrics.update(model=os.path.abspath(args.model), dataset=os.path.abspath(args.dataset),
                   subset=args.subset if args.split else "all", plots=pngs)
    write_json(os.path.join(args.output_dir, "test_summary.json"), metrics)
    print(f"{len(frames)} frames: E RMSE {metrics['energy_rmse_meV_per_atom']:.2f} meV/atom, "
          f"F RMSE {metrics['force_rmse_meV_per_A']:.1f} meV/A ({metrics['force_rmse_over_std']:.1%} of the "
          f"force std), virial RMSE {metrics['virial_rmse_meV_per_atom']:.2f} meV/atom")
    for sp, m in metrics["per_species"].items():
        print(f"  {sp}: F RMSE {m['force_rmse_meV_per_A']:.1f} meV/A over {m['n_atoms']} atoms")
    print(f"summary {os.path.join(args.output_dir, 'test_summary.json')}; plots {', '.join(pngs)}")
    return 0
