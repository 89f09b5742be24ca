"""``ptmlp data import|info|export|split``: build, inspect, export and split HDF5 datasets."""

from __future__ import annotations

from typing import Optional

from ..config import StrictModel, field
from ..data.splits import SplitFractions
from .options import validate_options


class ImportOptions(StrictModel):
    """Checked options of ``ptmlp data import``."""

    te_K: Optional[float] = field(None, "electronic temperature to record (K)", gt=0, alias="--te-K")


class SplitOptions(StrictModel):
    """Checked options of ``ptmlp data split``."""

    seed: int = field(0, "random seed of the split", ge=0, alias="--seed")
    fractions: SplitFractions = field(description="train, validation, test fractions", alias="--fractions")


def add_parser(sub) -> None:
    p = sub.add_parser("data", help="import DFT/ASE data into an HDF5 dataset, summarise it, split it")
    dsub = p.add_subparsers(dest="data_command", required=True)

    imp = dsub.add_parser("import", help="import labelled files (VASP, QE, CP2K, ABACUS, deepmd, extxyz, traj ...)")
    imp.add_argument("sources", nargs="+", help="files or folders")
    imp.add_argument("-o", "--output", required=True, help="HDF5 dataset (created or appended to)")
    imp.add_argument("--format", default=None, help="dpdata format (vasp/outcar, qe/pw/scf, ...) or ASE format; "
                     "default: guessed per source")
    imp.add_argument("--group", default=None, help="group name for grouped splits (default: each source's path)")
    imp.add_argument("--te-K", type=float, default=None, help="electronic temperature to record (default: read "
                     "from Fermi-Dirac smearing in the source when present)")
    imp.set_defaults(run=run_import)

    info = dsub.add_parser("info", help="frames, species, P-T-T_e coverage, energy/force ranges")
    info.add_argument("dataset")
    info.add_argument("--json", action="store_true")
    info.set_defaults(run=run_info)

    ex = dsub.add_parser("export", help="write a dataset (or a split's subset) as extxyz or dpdata deepmd/npy")
    ex.add_argument("dataset")
    ex.add_argument("-o", "--output", required=True, help="extxyz file, or a new folder for deepmd/npy")
    ex.add_argument("--format", default="extxyz", help="extxyz (keeps T_e, group) or deepmd/npy (default: extxyz)")
    ex.add_argument("--split", default=None, help="split JSON; with --subset, export only those frames")
    ex.add_argument("--subset", default="test", choices=["train", "validation", "test"])
    ex.set_defaults(run=run_export)

    sp = dsub.add_parser("split", help="reproducible train/validation/test split, grouped by source trajectory")
    sp.add_argument("dataset")
    sp.add_argument("-o", "--output", required=True, help="split JSON")
    sp.add_argument("--fractions", type=float, nargs=3, default=[0.8, 0.1, 0.1], metavar=("TRAIN", "VAL", "TEST"))
    sp.add_argument("--seed", type=int, default=0)
    sp.add_argument("--no-groups", action="store_true", help="split frames individually")
    sp.set_defaults(run=run_split)


def run_import(args) -> int:
    """Every source is read before anything is written; then all their frames go into the
    dataset in one atomic step: a source that cannot be read leaves the dataset as it was (and
    creates none)."""
    from ..data.importers import import_frames
    from ..data.store import Dataset

    validate_options(ImportOptions, args)
    batches = [import_frames(src, fmt=args.format, group=args.group, te_K=args.te_K) for src in args.sources]
    ds, added = Dataset.write(args.output, batches)
    for src, frames, n_new in zip(args.sources, batches, added):
        print(f"{src}: {len(frames)} frames read, {n_new} new")
    print(f"{args.output}: {len(ds)} frames ({sum(added)} added)")
    return 0


def run_info(args) -> int:
    from ..data.store import Dataset
    from ..data.summary import dataset_summary, format_summary
    from ..jsonfile import dumps

    summary = dataset_summary(Dataset(args.dataset))
    print(dumps(summary) if args.json else format_summary(summary))
    return 0


def run_export(args) -> int:
    from ..data.exporters import export_frames
    from ..data.splits import load_split
    from ..data.store import Dataset

    indices = load_split(args.split)[args.subset] if args.split else None
    print(export_frames(Dataset(args.dataset).read(indices), args.output, args.format))
    return 0


def run_split(args) -> int:
    from ..data.splits import grouped_split, save_split
    from ..data.store import Dataset

    validate_options(SplitOptions, args)
    arr = Dataset(args.dataset).arrays()
    groups = [arr["strings"][g] for g in arr["group_id"]]
    split = grouped_split(groups, args.fractions, args.seed, not args.no_groups)
    save_split(split, args.output, dataset=args.dataset, seed=args.seed, fractions=list(args.fractions),
               by_group=not args.no_groups)
    print(", ".join(f"{k} {len(v)}" for k, v in split.items()) + f" frames -> {args.output}")
    return 0
