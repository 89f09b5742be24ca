"""``ptmlp elf {generate,train,predict,import,phi,info}``: electron localization function from geometry.

``generate``, ``train`` and ``predict`` take a YAML config as their positional argument
(``--example`` prints each with every key); command-line options override the config's keys.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from ..errors import InputError
from .common import add_config_argument, config_file, example_requested, require_config


def _example(name: str):
    def text() -> str:
        from ..config import example_yaml
        from ..elf import config

        model = {"generate": config.GenerateConfig, "train": config.TrainConfig, "predict": config.PredictConfig}[name]
        return example_yaml(model, f"ptmlp elf {name} config")

    return text


def add_parser(sub) -> None:
    p = sub.add_parser("elf", help="predict the electron localization function (ELF) on a grid from atomic "
                                   "positions; hydrogen networking value and T_c")
    s = p.add_subparsers(dest="elf_command", required=True)

    g = s.add_parser("generate", help="GPAW reference ELF data: fluid-H MD snapshots and random crystals")
    add_config_argument(g, _example("generate"))
    g.set_defaults(run=run_generate)

    t = s.add_parser("train", help="train an ELF model on an ELF dataset")
    add_config_argument(t, _example("train"), "YAML config (optional with --dataset)")
    t.add_argument("--dataset", default=None, help="ELF dataset (.h5); overrides the config's")
    t.add_argument("-o", "--output", default=None, help="model file to write (.pt); overrides the config's")
    t.add_argument("--epochs", type=int, default=None)
    t.add_argument("--threads", type=int, default=None)
    t.set_defaults(run=run_train)

    pr = s.add_parser("predict", help="ELF grids, phi and T_c per snapshot (optionally against references)")
    add_config_argument(pr, _example("predict"), "YAML config (*.yaml); without one, the first input", alias=True)
    pr.add_argument("inputs", nargs="*", help="trajectory (LAMMPS dump, extxyz, ...), ELF dataset .h5, "
                                              "or cube/ELFCAR files (added to the config's inputs)")
    pr.add_argument("-m", "--model", default=None, help="ELF model file (ptmlp elf train)")
    pr.add_argument("-o", "--output-dir", default=None)
    pr.add_argument("--grid-spacing-A", type=float, default=None, help="grid spacing (default 0.1 A)")
    pr.add_argument("--grid", type=int, nargs=3, default=None, help="explicit grid n1 n2 n3")
    pr.add_argument("--reference", nargs="+", default=None, help="reference cube/ELFCAR per trajectory snapshot")
    pr.add_argument("--type-names", nargs="+", default=None, help="LAMMPS dump: element of type 1, 2, ...")
    pr.add_argument("--type-map", nargs="+", dest="type_names", help=argparse.SUPPRESS)  # old spelling
    pr.add_argument("--groups", nargs="+", default=None, help="ELF dataset input: group patterns")
    pr.add_argument("--every", type=int, default=None, help="use every N-th snapshot")
    pr.add_argument("--max-snapshots", type=int, default=None)
    pr.add_argument("--write-cubes", action="store_true", default=None, help="write elf_pred_NNNNN.cube files")
    pr.add_argument("--low-k-cut-per-A", type=float, default=None,
                    help="apply and report the low-k Fourier correction of the logit residual (needs references)")
    pr.add_argument("--threads", type=int, default=None)
    pr.set_defaults(run=run_predict)

    im = s.add_parser("import", help="import cube/ELFCAR ELF files into an ELF dataset")
    im.add_argument("files", nargs="+")
    im.add_argument("-o", "--output", required=True, help="ELF dataset (.h5), created or appended to")
    im.add_argument("--group", default=None, help="group name (default: each file's name)")
    im.add_argument("--elf-dtype", choices=["float32", "float16"], default="float32")
    im.set_defaults(run=run_import)

    ph = s.add_parser("phi", help="networking value phi and T_c of ELF grids (cube/ELFCAR files)")
    ph.add_argument("files", nargs="+")
    ph.add_argument("--tol", type=float, default=1e-3, help="bisection tolerance on phi")
    ph.set_defaults(run=run_phi)

    info = s.add_parser("info", help="validate an ELF model file and print its metadata")
    info.add_argument("model")
    info.add_argument("--json", action="store_true")
    info.set_defaults(run=run_info)


def _absolute(value):
    """Command-line paths are relative to the current folder, config paths to the config's."""
    if value is None:
        return None
    return [str(Path(v).resolve()) for v in value] if isinstance(value, list) else str(Path(value).resolve())


def run_generate(args) -> int:
    if example_requested(args):
        return 0
    from ..config import load_config
    from ..elf.config import GenerateConfig
    from ..elf.generate import generate

    cfg = load_config(GenerateConfig, require_config(args, "elf generate"))
    t0 = time.time()
    summary = generate(cfg, log=lambda s: print(f"[{time.time() - t0:8.1f} s] {s}", flush=True))
    for group, row in summary["groups"].items():
        print(f"{group}: {row['snapshots']} snapshots, P {row['pressure_GPa_mean']:.1f} +- "
              f"{row['pressure_GPa_std']:.1f} GPa")
    return 0


def run_train(args) -> int:
    if example_requested(args):
        return 0
    from ..config import load_config
    from ..elf.config import TrainConfig
    from ..elf.training import train

    if args.config is None and args.dataset is None:
        raise InputError("give a YAML config or --dataset (ptmlp elf train --example prints a complete config)")
    options = {"dataset": _absolute(args.dataset), "output": _absolute(args.output), "epochs": args.epochs,
               "threads": args.threads}
    train(load_config(TrainConfig, args.config, overrides=options), log=lambda s: print(s, flush=True))
    return 0


def run_predict(args) -> int:
    if example_requested(args):
        return 0
    from ..config import load_config
    from ..elf.config import PredictConfig
    from ..elf.predict import run_predict as _run

    inputs = list(args.inputs)
    if args.config is not None and not args.config.endswith((".yaml", ".yml")):
        inputs.insert(0, args.config)  # no config file: the first positional argument is an input
        args.config = None
    options = {"model": _absolute(args.model), "output_dir": _absolute(args.output_dir),
               "grid_spacing_A": args.grid_spacing_A, "grid": args.grid, "references": _absolute(args.reference),
               "type_names": args.type_names, "groups": args.groups, "every": args.every,
               "max_snapshots": args.max_snapshots, "write_cubes": args.write_cubes,
               "low_k_cut_per_A": args.low_k_cut_per_A, "threads": args.threads}
    opts = load_config(PredictConfig, config_file(args), overrides=options, extend={"inputs": _absolute(inputs)})
    _run(opts, log=lambda s: print(s, flush=True))
    return 0


def run_import(args) -> int:
    from ..elf.io import read_elf_file
    from ..elf.store import open_or_create

    grids = [read_elf_file(f, args.group or "") for f in args.files]
    ds = open_or_create(args.output, args.elf_dtype)
    n = ds.append(grids)
    print(f"{args.output}: added {n} ELF grids ({len(ds)} in total)")
    return 0


def run_phi(args) -> int:
    from ..elf.io import read_elf_file
    from ..elf.networking import networking_value, tc_estimate_K

    for f in args.files:
        g = read_elf_file(f)
        phi, err = networking_value(g.elf, args.tol)
        tc, tc_err = tc_estimate_K(phi, err)
        print(f"{f}: phi {phi:.4f} +- {err:.4f}, T_c {tc:.0f} +- {tc_err:.0f} K (750 phi - 85 K, pure H)")
    return 0


def run_info(args) -> int:
    from ..elf.model_file import load_elf_model

    from ..jsonfile import dumps

    module, meta = load_elf_model(args.model)
    if args.json:
        print(dumps(meta, indent=1))
        return 0
    d = meta["descriptor"]
    n_params = sum(p.numel() for p in module.parameters())
    print(f"ELF model file  {args.model}")
    print(f"species         {' '.join(meta['type_names'])}")
    print(f"descriptor      r_cut {d['r_cut_A']} A, {d['n_radial']} Gaussians (width {d['gaussian_width_A']:.3f} A), "
          f"l_max {d['l_max']}, {d['n_features']} features")
    print(f"architecture    {meta['architecture']['name']} {meta['architecture']['hidden']}, {n_params} parameters")
    val = meta.get("training", {}).get("validation")
    if val:
        print(f"validation      MAE {val['mae']:.4f}, RMSE {val['rmse']:.4f}, R^2 {val['r2']:.4f} "
              f"({val['n_snapshots']} snapshots)")
    return 0
