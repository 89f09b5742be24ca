"""``ptmlp elf {generate,train,predict,import,phi,info}``: electron localization function from geometry.

Every YAML config is validated: unknown keys are rejected with the list of known ones.
"""

from __future__ import annotations

import json
import time

from ..errors import InputError


def add_parser(sub) -> None:
    p = sub.add_parser("elf", help="predict the electron localization function (ELF) on a grid from atomic "
                                   "positions; hydrogen networking value and T_c")
    s = p.add_subparsers(dest="elf_command", required=True)

    g = s.add_parser("generate", help="GPAW reference ELF data: fluid-H MD snapshots and random crystals")
    g.add_argument("config", help="YAML (output, workdir, seed, dft, md_dft, fluid: [...], crystals)")
    g.set_defaults(run=run_generate)

    t = s.add_parser("train", help="train an ELF model on an ELF dataset")
    t.add_argument("config", nargs="?", default=None, help="YAML with TrainConfig keys (dataset, output, ...)")
    t.add_argument("--dataset", default=None, help="ELF dataset (.h5)")
    t.add_argument("-o", "--output", default=None, help="model file to write (.pt)")
    t.add_argument("--epochs", type=int, default=None)
    t.add_argument("--threads", type=int, default=None)
    t.set_defaults(run=run_train)

    pr = s.add_parser("predict", help="ELF grids, phi and T_c per snapshot (optionally against references)")
    pr.add_argument("inputs", nargs="+", help="trajectory (LAMMPS dump, extxyz, ...), ELF dataset .h5, "
                                              "or cube/ELFCAR files")
    pr.add_argument("-m", "--model", required=True, help="ELF model file (ptmlp elf train)")
    pr.add_argument("--config", default=None, help="YAML with predict options (keys as the long options)")
    pr.add_argument("-o", "--output-dir", default=None)
    pr.add_argument("--grid-spacing-A", type=float, default=None, help="grid spacing (default 0.1 A)")
    pr.add_argument("--grid", type=int, nargs=3, default=None, help="explicit grid n1 n2 n3")
    pr.add_argument("--reference", nargs="+", default=None, help="reference cube/ELFCAR per trajectory snapshot")
    pr.add_argument("--type-map", nargs="+", default=None, help="LAMMPS dump: element of type 1, 2, ...")
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


def run_generate(args) -> int:
    from ..elf.config import load_generate_config
    from ..elf.generate import generate

    cfg = load_generate_config(args.config)
    t0 = time.time()
    summary = generate(cfg, log=lambda s: print(f"[{time.time() - t0:8.1f} s] {s}", flush=True))
    for group, row in summary["groups"].items():
        print(f"{group}: {row['snapshots']} snapshots, P {row['pressure_GPa_mean']:.1f} +- "
              f"{row['pressure_GPa_std']:.1f} GPa")
    return 0


def run_train(args) -> int:
    from ..elf.config import load_train_config
    from ..elf.training import train

    overrides = {"dataset": args.dataset, "output": args.output, "epochs": args.epochs, "threads": args.threads}
    if args.config is None and args.dataset is None:
        raise InputError("give a YAML config or --dataset")
    cfg = load_train_config(args.config, overrides) if args.config else load_train_config_from(overrides)
    train(cfg, log=lambda s: print(s, flush=True))
    return 0


def load_train_config_from(overrides: dict):
    from ..config_io import from_dict
    from ..elf.config import TrainConfig

    return from_dict(TrainConfig, {k: v for k, v in overrides.items() if v is not None}, "command-line options")


def run_predict(args) -> int:
    import yaml

    from ..config_io import from_dict
    from ..elf.predict import PredictOptions, run_predict as _run

    data = {}
    if args.config:
        try:
            with open(args.config) as fh:
                data = yaml.safe_load(fh) or {}
        except FileNotFoundError:
            raise InputError(f"config file {args.config}: no such file") from None
        except yaml.YAMLError as exc:
            raise InputError(f"config file {args.config}: not valid YAML ({str(exc).splitlines()[0]})") from None
        for forbidden in ("model", "inputs"):
            if isinstance(data, dict) and forbidden in data:
                raise InputError(f"config file {args.config}: {forbidden!r} is given on the command line, not in "
                                 "the config")
    cli = {"output_dir": args.output_dir, "grid_spacing_A": args.grid_spacing_A, "grid": args.grid,
           "references": args.reference, "type_map": args.type_map, "groups": args.groups, "every": args.every,
           "max_snapshots": args.max_snapshots, "write_cubes": args.write_cubes,
           "low_k_cut_per_A": args.low_k_cut_per_A, "threads": args.threads}
    merged = dict(data) if isinstance(data, dict) else data
    if isinstance(merged, dict):
        merged.update({k: v for k, v in cli.items() if v is not None})
        merged.update(model=args.model, inputs=list(args.inputs))
    opts = from_dict(PredictOptions, merged, args.config or "predict options")
    if opts.grid_spacing_A <= 0:
        raise InputError(f"grid_spacing_A={opts.grid_spacing_A} must be positive")
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

    module, meta = load_elf_model(args.model)
    if args.json:
        print(json.dumps(meta, indent=1))
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
