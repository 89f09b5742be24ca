"""``ptmlp fanout jobs.yaml``: many independent LAMMPS runs inside one MPI allocation.

Run under MPI: ``mpirun -np 8 ptmlp fanout jobs.yaml`` (or ``srun ptmlp fanout ...`` in a job).
Exit status 0 when every job finished, 1 when some failed (each failure is listed), 2 for a
bad job file. ``ptmlp fanout --example`` prints every key of the job file.
"""

from __future__ import annotations

from .common import add_config_argument, example_requested, require_config


def _example() -> str:
    from ..hpc.fanout import example

    return example()


def add_parser(sub) -> None:
    p = sub.add_parser("fanout", help="run many independent LAMMPS jobs inside one mpirun allocation")
    add_config_argument(p, _example, "fan-out job file (YAML)")
    p.add_argument("--mode", choices=["library", "subprocess"], default=None,
                   help="override the file's mode: lammps module in-process, or lmp child processes")
    p.add_argument("--ranks-per-job", type=int, default=None, help="override the file's ranks_per_job")
    p.add_argument("--resume", action="store_true", help="skip jobs whose fanout_result.json says ok")
    p.set_defaults(run=run)


def run(args) -> int:
    if example_requested(args):
        return 0
    from mpi4py import MPI

    from ..hpc.fanout import load_fanout_file, run_fanout

    plan = load_fanout_file(require_config(args, "fanout"), overrides={
        "mode": args.mode, "ranks_per_job": args.ranks_per_job, "resume": True if args.resume else None})
    results = run_fanout(plan)
    n_failed = 0
    if MPI.COMM_WORLD.rank == 0:
        n_failed = sum(r.status != "ok" for r in results)
        for r in results:
            line = f"{r.name:20s} {r.status:6s} {r.wall_s:8.2f} s  group {r.group}"
            print(line + (f"  {r.error}" if r.error else ""))
        print(f"fanout: {len(results) - n_failed} ok, {n_failed} failed of {len(results)} jobs on "
              f"{MPI.COMM_WORLD.size} MPI ranks; summary {plan.summary}")
    n_failed = MPI.COMM_WORLD.bcast(n_failed, root=0)
    return 1 if n_failed else 0
