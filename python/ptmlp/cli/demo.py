"""``ptmlp demo``: NVT MD of bcc iron with the shipped demo model through the real ``lmp``."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from ..errors import InputError


def add_parser(sub) -> None:
    p = sub.add_parser("demo", help="run inputs/md.in with the shipped demo model and summarise the thermo")
    p.add_argument("--workdir", default="ptmlp_demo_run", help="run folder (created; default ./ptmlp_demo_run)")
    p.add_argument("--steps", type=int, default=2000, help="MD steps (1 fs each), default 2000")
    p.add_argument("--temperature-K", type=float, default=1500.0, help="NVT temperature, default 1500 K")
    p.add_argument("--cells", type=int, default=6, help="bcc cells per side (2 n^3 atoms), default 6")
    p.add_argument("--np", type=int, default=1, dest="nprocs", help="MPI ranks (mpirun -np), default 1")
    p.set_defaults(run=run)


def repo_inputs() -> Path:
    from ..resources import inputs_dir

    return inputs_dir()


def run(args) -> int:
    from ..demo import DEMO_MODEL
    from ..lammps_env import run_lammps
    from ..thermo import read_thermo, summarise

    if args.steps <= 0 or args.cells <= 0 or args.temperature_K <= 0:
        raise InputError("--steps, --cells and --temperature-K must be positive")
    if not DEMO_MODEL.exists():
        raise InputError(f"demo model {DEMO_MODEL} missing; regenerate it: python -m ptmlp.demo.regenerate")
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    shutil.copy(repo_inputs() / "md.in", work / "md.in")
    shutil.copy(DEMO_MODEL, work / "fe_demo.pt")
    n_atoms = 2 * args.cells ** 3
    print(f"ptmlp demo: NVT MD of {n_atoms} Fe atoms at {args.temperature_K:g} K for {args.steps} steps "
          f"on {args.nprocs} rank(s) in {work}/ (lmp -in md.in)")
    t0 = time.monotonic()
    run_lammps("md.in", work, nprocs=args.nprocs,
               variables={"T": args.temperature_K, "steps": args.steps, "n": args.cells})
    wall = time.monotonic() - t0
    thermo = read_thermo(work / "log.lammps")
    print(summarise(thermo, n_atoms=n_atoms, wall_s=wall, steps=args.steps))
    return 0
