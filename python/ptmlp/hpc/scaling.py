"""Strong scaling of ``pair_style ptmlp``: the same bcc Fe box on 1, 2, ... MPI ranks.

Prints speed-up and parallel efficiency (t_1 / (N t_N)), not absolute times, from LAMMPS's
own "Loop time" (start-up and model loading excluded); the best of ``repeats`` runs per rank
count is used and the spread over repeats is given as the uncertainty. On a shared machine
the load average is printed too: efficiencies below 1 there may be other users' work.

    python -m ptmlp.hpc.scaling --ranks 1 2 --cells 13 --steps 20      # 4394 atoms, demo model
"""

from __future__ import annotations

import argparse
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Optional, Sequence

from ..errors import InputError
from ..jsonfile import write_json
from ..lammps_env import run_lammps
from ..thermo import LoopTime, read_loop_times

FE_INPUT = """
units        metal
atom_style   atomic
boundary     p p p
lattice      bcc 2.86
region       box block 0 ${n} 0 ${n} 0 ${n}
create_box   1 box
create_atoms 1 box
mass         1 55.845
pair_style   ptmlp ${model}
pair_coeff   * * Fe
velocity     all create 1500 4928459 mom yes rot yes
fix          1 all nve
thermo       ${steps}
run          ${steps}
"""

@dataclass
class ScalingPoint:
    ranks: int
    n_atoms: int
    steps: int
    loop_time_s: float          # best of the repeats
    loop_time_spread_s: float   # max - min over the repeats
    speedup: float              # t_1 / t_N
    speedup_err: float          # from the spreads of t_1 and t_N
    efficiency: float           # speedup / N
    efficiency_err: float


def loop_time(log: str | os.PathLike) -> LoopTime:
    """The last "Loop time" line of a LAMMPS log (a path, or the log text)."""
    found = read_loop_times(log)
    if not found:
        raise InputError("no 'Loop time' line in the LAMMPS output")
    return found[-1]


def strong_scaling(model: str | os.PathLike, ranks: Sequence[int] = (1, 2), cells: int = 13, steps: int = 20,
                   repeats: int = 2, workdir: Optional[Path] = None) -> list[ScalingPoint]:
    """Run the box on each rank count ``repeats`` times; speed-ups relative to the first count."""
    if not ranks or min(ranks) < 1 or repeats < 1:
        raise InputError("ranks must be positive and repeats at least 1")
    with tempfile.TemporaryDirectory(prefix="ptmlp_scaling_") as tmp:
        work = Path(workdir) if workdir is not None else Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        (work / "in.scaling").write_text(FE_INPUT)
        times: dict[int, list[float]] = {}
        n_atoms = 0
        for n in ranks:
            for _ in range(repeats):
                run_lammps("in.scaling", work, nprocs=n, variables={"n": cells, "steps": steps,
                                                                      "model": Path(model).resolve()},
                           log=f"log.{n}")
                run = loop_time(work / f"log.{n}")
                n_atoms = run.atoms
                times.setdefault(n, []).append(run.seconds)
    base = ranks[0]
    t1, t1_spread = min(times[base]), max(times[base]) - min(times[base])
    points = []
    for n in ranks:
        tn, spread = min(times[n]), max(times[n]) - min(times[n])
        speedup = t1 / tn
        err = 0.0 if n == base else speedup * ((t1_spread / t1) ** 2 + (spread / tn) ** 2) ** 0.5
        scale = n / base
        points.append(ScalingPoint(n, n_atoms, steps, tn, spread, speedup, err, speedup / scale, err / scale))
    return points


def table(points: list[ScalingPoint]) -> str:
    lines = [f"strong scaling, pair_style ptmlp, {points[0].n_atoms} atoms, {points[0].steps} steps",
             f"{'ranks':>5s} {'speedup':>16s} {'efficiency':>16s}"]
    for p in points:
        lines.append(f"{p.ranks:5d} {p.speedup:9.2f} +- {p.speedup_err:4.2f} {p.efficiency:9.2f} +- "
                     f"{p.efficiency_err:4.2f}")
    return "\n".join(lines)


def main(argv: Optional[list[str]] = None) -> int:
    from ..demo import DEMO_MODEL

    parser = argparse.ArgumentParser(prog="python -m ptmlp.hpc.scaling", description=__doc__.split("\n")[0])
    parser.add_argument("--model", default=str(DEMO_MODEL), help="ptmlp model with species Fe (default: demo)")
    parser.add_argument("--ranks", type=int, nargs="+", default=[1, 2], help="MPI rank counts (default: 1 2)")
    parser.add_argument("--cells", type=int, default=13, help="bcc cells per side (2 n^3 atoms; 13: 4394)")
    parser.add_argument("--steps", type=int, default=20, help="MD steps per run")
    parser.add_argument("--repeats", type=int, default=2, help="runs per rank count (best one is used)")
    parser.add_argument("--json", default=None, help="also write the points to this JSON file")
    args = parser.parse_args(argv)
    load_before = os.getloadavg()[0]
    points = strong_scaling(args.model, args.ranks, args.cells, args.steps, args.repeats)
    print(table(points))
    print(f"load average (1 min) before/after: {load_before:.2f} / {os.getloadavg()[0]:.2f} on "
          f"{os.cpu_count()} CPUs")
    if args.json:
        write_json(args.json, [asdict(p) for p in points])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
