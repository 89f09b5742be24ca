"""``ptmlp export``: a training checkpoint (or a model file) -> model.pt, optionally float32."""

from __future__ import annotations

from ..errors import InputError


def add_parser(sub) -> None:
    p = sub.add_parser("export", help="export a training checkpoint to a model file")
    p.add_argument("checkpoint", help="member_<k>/checkpoint.pt of a `ptmlp train` run")
    p.add_argument("-o", "--output", required=True, help="model file to write (.pt)")
    p.add_argument("--float32", action="store_true", help="export in single precision")
    p.add_argument("--best", action="store_true", help="the best-validation weights (default: the last)")
    p.set_defaults(run=run)


def run(args) -> int:
    import os

    import torch

    from ..config import load_config
    from ..data.store import Dataset
    from ..export import export_model
    from ..models import build_model
    from ..training.config import RunConfig
    from ..data.splits import load_split
    from ..training.run import frames_metadata, model_config, te_metadata

    run_dir = os.path.dirname(os.path.dirname(os.path.abspath(args.checkpoint)))
    config_path = os.path.join(run_dir, "config.yaml")
    if not os.path.exists(args.checkpoint) or not os.path.exists(config_path):
        raise InputError(f"{args.checkpoint}: expected <output_dir>/member_<k>/checkpoint.pt next to "
                         f"<output_dir>/config.yaml")
    config = load_config(RunConfig, config_path)
    ds = Dataset(config.dataset)
    mconf = model_config(config, ds)
    train_frames = ds.read(load_split(os.path.join(run_dir, "split.json"))["train"])
    model = build_model(mconf)
    ck = torch.load(args.checkpoint, weights_only=False)
    state = ck["state"]["best_state"] if args.best and ck["state"]["best_state"] is not None else ck["model"]
    model.load_state_dict(state)
    if args.float32:
        model.float()
    training = {"checkpoint": os.path.abspath(args.checkpoint), "epoch": ck["state"]["epoch"],
                **frames_metadata(ds.path, train_frames, mconf=mconf)}
    export_model(model, args.output, training=training, electronic_temperature=te_metadata(mconf, train_frames))
    print(f"wrote {args.output} ({'float32' if args.float32 else 'float64'}, epoch {ck['state']['epoch']})")
    return 0
